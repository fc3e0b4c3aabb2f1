import { z } from 'zod';
import { Contact, Group } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import type { UseCaseContext, WithEvents } from './context.ts';
import { inTransactionRetryingRaces } from './context.ts';
import { attachmentSchema, hasText, parseInput, templateSchema } from './input.ts';
import { loadActingUser } from './load.ts';
import { markReadWithin } from './mark-read.ts';
import { sendToContact } from './send-to-contact.ts';
import { audit, messageCreated } from './timeline.ts';

export const startConversationSchema = z
  .object({
    groupId: z.uuid(),
    contactId: z.uuid(),
    channel: z.string().min(1),
    text: z.string().optional(),
    template: templateSchema.optional(),
    attachments: z.array(attachmentSchema).optional(),
  })
  .refine(
    (s) => hasText(s.text) || !!s.template || (s.attachments?.length ?? 0) > 0,
    'A first message needs text, a template or an attachment.',
  );

export type StartConversationInput = z.input<typeof startConversationSchema>;

export interface StartConversationResult {
  conversationId: string;
  conversationNumber: number;
  messageId: string;
  /** False when the contact already had an open conversation in the group and the message joined it. */
  openedConversation: boolean;
  notice: string | null;
}

/**
 * R7: a user writes first to a contact on a chosen channel; the message opens a new conversation
 * with a new id. The channel rules (portal profile, WhatsApp window, SMS opt-out) refuse with a reason.
 */
export async function startConversation(
  ctx: UseCaseContext,
  actor: Actor,
  raw: StartConversationInput,
): Promise<WithEvents<StartConversationResult>> {
  const input = parseInput(startConversationSchema, raw);
  return inTransactionRetryingRaces(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const group = await tx.findOne(Group, { id: input.groupId, account: user.account });
    if (!group) throw new AppError('not_found', 'That group does not exist in your account.');
    const contact = await tx.findOne(Contact, { id: input.contactId, account: user.account });
    if (!contact) throw new AppError('not_found', 'That contact does not exist in your account.');

    const sent = await sendToContact(tx, {
      user,
      group,
      contact,
      channel: input.channel,
      text: input.text ?? null,
      template: input.template ?? null,
      attachments: input.attachments ?? [],
      now,
    });
    const conv = sent.conversation;
    await markReadWithin(tx, user, conv, now);
    audit(
      tx,
      conv.account,
      actor,
      'conversation.started',
      conv.id,
      { channel: input.channel, opened: sent.opened },
      now,
    );
    if (sent.opened) record({ type: 'conversation.opened', conversationId: conv.id, groupId: group.id });
    record(messageCreated(conv, sent.message), {
      type: 'conversation.read',
      conversationId: conv.id,
      userId: user.id,
    });
    return {
      conversationId: conv.id,
      conversationNumber: conv.number,
      messageId: sent.message.id,
      openedConversation: sent.opened,
      notice: sent.opened
        ? null
        : `${contact.name ?? 'The contact'} already had an open conversation #${conv.number} in ${group.name}; your message was added to it.`,
    };
  });
}
