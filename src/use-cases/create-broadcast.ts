import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import {
  Broadcast,
  BroadcastRecipient,
  ChannelEndpoint,
  Contact,
  Group,
  type Message,
} from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError, isAppError } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import { isMember } from '../domain/visibility.ts';
import type { UseCaseContext, WithEvents } from './context.ts';
import { inTransactionRetryingRaces } from './context.ts';
import { attachmentSchema, hasText, parseInput, templateSchema } from './input.ts';
import { loadActingUser, toViewer } from './load.ts';
import { sendToContact } from './send-to-contact.ts';
import { audit, messageCreated } from './timeline.ts';

export const createBroadcastSchema = z
  .object({
    groupId: z.uuid(),
    endpointId: z.uuid(),
    text: z.string().optional(),
    template: templateSchema.optional(),
    attachments: z.array(attachmentSchema).optional(),
    target: z.union([
      z.object({ contactIds: z.array(z.uuid()).min(1).max(10_000) }),
      z.object({ tag: z.string().trim().min(1) }),
    ]),
  })
  .refine(
    (b) => hasText(b.text) || !!b.template || (b.attachments?.length ?? 0) > 0,
    'A broadcast needs text, a template or an attachment.',
  );

export type CreateBroadcastInput = z.input<typeof createBroadcastSchema>;

export interface CreateBroadcastResult {
  broadcastId: string;
  total: number;
  queued: number;
  refused: number;
}

/** Refusals that concern one recipient; anything else stops the whole broadcast. */
const perRecipientCodes = new Set(['channel_refused', 'forbidden']);

/**
 * R8: one message to many contacts, each landing in that contact's own conversation. A recipient
 * the channel rules refuse (R7) is recorded with the reason and does not stop the others.
 */
export async function createBroadcast(
  ctx: UseCaseContext,
  actor: Actor,
  raw: CreateBroadcastInput,
): Promise<WithEvents<CreateBroadcastResult>> {
  const input = parseInput(createBroadcastSchema, raw);
  return inTransactionRetryingRaces(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const group = await tx.findOne(Group, { id: input.groupId, account: user.account });
    if (!group) throw new AppError('not_found', 'That group does not exist in your account.');
    if (!isMember(toViewer(user), group.id)) {
      throw new AppError(
        'forbidden',
        `You are not a member of the group "${group.name}". Ask an admin to add you.`,
        {
          rule: 'R33',
        },
      );
    }
    const endpoint = await tx.findOne(ChannelEndpoint, { id: input.endpointId, group });
    if (!endpoint)
      throw new AppError('not_found', `That number or widget does not belong to the group "${group.name}".`);
    const contacts = await targetContacts(tx, user.account.id, input.target);

    const broadcast = tx.create(Broadcast, {
      account: group.account,
      group,
      endpoint,
      createdBy: user,
      text: input.text ?? null,
      template: input.template ?? null,
      target: input.target,
      createdAt: now,
    });
    const messages: Message[] = [];
    const events: DomainEvent[] = [];
    for (const contact of contacts) {
      try {
        const sent = await sendToContact(tx, {
          user,
          group,
          contact,
          channel: endpoint.channel,
          endpoint,
          text: input.text ?? null,
          template: input.template ?? null,
          attachments: input.attachments ?? [],
          meta: { broadcastId: broadcast.id },
          now,
        });
        tx.create(BroadcastRecipient, { broadcast, contact, message: sent.message });
        messages.push(sent.message);
        if (sent.opened)
          events.push({
            type: 'conversation.opened',
            conversationId: sent.conversation.id,
            groupId: group.id,
          });
        events.push(messageCreated(sent.conversation, sent.message));
      } catch (e) {
        if (!isAppError(e) || !perRecipientCodes.has(e.code)) throw e;
        tx.create(BroadcastRecipient, { broadcast, contact, refusedReason: e.message });
      }
    }
    audit(
      tx,
      group.account,
      actor,
      'broadcast.created',
      null,
      { broadcastId: broadcast.id, total: contacts.length },
      now,
    );
    record(...events, {
      type: 'broadcast.created',
      broadcastId: broadcast.id,
      messageIds: messages.map((m) => m.id),
    });
    return {
      broadcastId: broadcast.id,
      total: contacts.length,
      queued: messages.length,
      refused: contacts.length - messages.length,
    };
  });
}

/** The contacts a broadcast reaches, each once, in a stable order (consistent row-lock order). */
async function targetContacts(
  tx: EntityManager,
  accountId: string,
  target: { contactIds: string[] } | { tag: string },
): Promise<Contact[]> {
  if ('tag' in target) {
    const tagged = await tx.find(
      Contact,
      { account: accountId, tags: { $contains: [target.tag] } },
      { orderBy: { id: 'asc' } },
    );
    if (tagged.length === 0)
      throw new AppError('rule_violation', `No contact carries the tag "${target.tag}".`, { rule: 'R8' });
    return tagged;
  }
  const ids = [...new Set(target.contactIds)];
  const found = await tx.find(Contact, { account: accountId, id: { $in: ids } }, { orderBy: { id: 'asc' } });
  if (found.length !== ids.length) {
    throw new AppError(
      'not_found',
      `${ids.length - found.length} of the chosen contacts do not exist in your account.`,
      {
        rule: 'R8',
      },
    );
  }
  return found;
}

export type RecipientResult = 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'refused' | 'removed';

export interface BroadcastProgress {
  total: number;
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  refused: number;
  /** Recipients whose conversation was deleted since (R24 removes the message). */
  removed: number;
  recipients: { contactId: string; result: RecipientResult; reason: string | null }[];
}

/** R8: where a broadcast stands, per recipient and in total. */
export async function broadcastProgress(em: EntityManager, broadcastId: string): Promise<BroadcastProgress> {
  const broadcast = await em.findOne(Broadcast, { id: broadcastId });
  if (!broadcast) throw new AppError('not_found', 'That broadcast does not exist.');
  const rows = await em.find(
    BroadcastRecipient,
    { broadcast },
    { populate: ['message'], orderBy: { contact: 'asc' } },
  );
  const progress: BroadcastProgress = {
    total: rows.length,
    queued: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    failed: 0,
    refused: 0,
    removed: 0,
    recipients: [],
  };
  for (const r of rows) {
    const result = recipientResult(r);
    progress[result] += 1;
    const reason = r.refusedReason ?? (result === 'failed' ? (r.message?.deliveryReason ?? null) : null);
    progress.recipients.push({ contactId: r.contact.id, result, reason });
  }
  return progress;
}

function recipientResult(r: BroadcastRecipient): RecipientResult {
  if (r.refusedReason) return 'refused';
  const state = r.message?.deliveryState;
  if (!r.message || !state) return 'removed';
  return state === 'sending' ? 'queued' : state;
}
