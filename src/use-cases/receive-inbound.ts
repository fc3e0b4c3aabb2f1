import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { ChannelEndpoint, Contact, ContactIdentity, Message } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { shouldAiAnswer } from '../domain/ai.ts';
import { type ChannelName, isChannelName, phoneChannels } from '../domain/channels.ts';
import { AppError } from '../domain/errors.ts';
import { appendToOpenConversation, type InboundShortcut } from './append-inbound.ts';
import type { UseCaseContext, WithEvents } from './context.ts';
import { inTransactionRetryingRaces } from './context.ts';
import { answerIn, recordCsatAnswer } from './csat-answer.ts';
import { attachmentSchema, hasText, parseInput } from './input.ts';
import { newConversationVisibility } from './new-conversation-visibility.ts';
import { openForNewSender } from './open-for-new-sender.ts';
import { findOpenConversation } from './send-to-contact.ts';
import { appendMessage, messageCreated, openConversation } from './timeline.ts';

const portalProfileSchema = z.object({
  externalId: z.string().min(1),
  email: z.string().optional(),
  name: z.string().optional(),
  attributes: z.record(z.string(), z.string()).optional(),
});

export const receiveInboundSchema = z
  .object({
    channel: z.string().refine(isChannelName, 'unknown channel (webchat, whatsapp or sms)'),
    endpointAddress: z.string().min(1),
    from: z.object({
      address: z.string().min(1),
      identified: z.boolean(),
      name: z.string().optional(),
      portalProfile: portalProfileSchema.optional(),
    }),
    provider: z.string().min(1),
    providerMessageId: z.string().min(1),
    text: z.string().optional(),
    attachments: z.array(attachmentSchema).optional(),
    receivedAt: z.coerce.date().optional(),
    /** Channel facts shown with the message (an opt-out keyword, an unsupported type...). */
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((m) => hasText(m.text) || (m.attachments?.length ?? 0) > 0, 'a message needs text or attachments');

export type ReceiveInboundInput = z.input<typeof receiveInboundSchema>;

export interface ReceiveInboundResult {
  conversationId: string;
  messageId: string;
  /** The provider sent this message before; nothing was written. */
  duplicate: boolean;
  openedConversation: boolean;
  /** R14: the group's AI agent should answer this message. */
  aiAnswers: boolean;
}

export interface ReceiveInboundOptions {
  /**
   * The one-statement path taken first for the usual message (append-inbound.ts); `null` sends
   * every message through the full transaction. Both must leave the same rows: the test that
   * compares them turns the shortcut off in one world and watches it run in the other.
   */
  shortcut?: InboundShortcut | null;
  /** The one-statement path for a sender nobody knows (open-for-new-sender.ts); `null`: the full transaction. */
  newSender?: InboundShortcut | null;
}

/**
 * A customer message arrives (R2, R3): find the receiving number's group and the contact (or
 * create them), join the contact's open conversation in that group or open one, append the
 * message. A provider's retry of the same message id, even concurrent, yields one message.
 */
export async function receiveInbound(
  ctx: UseCaseContext,
  actor: Actor,
  raw: ReceiveInboundInput,
  opts: ReceiveInboundOptions = {},
): Promise<WithEvents<ReceiveInboundResult>> {
  const input = parseInput(receiveInboundSchema, raw);
  const allowed =
    (actor.kind === 'provider' && actor.channel === input.channel) ||
    (actor.kind === 'contact' && input.channel === 'webchat');
  if (!allowed) {
    throw new AppError(
      'forbidden',
      `Only the ${input.channel} provider can deliver ${input.channel} messages.`,
    );
  }

  const now = ctx.now ? ctx.now() : new Date();
  // The provider's time, never in the future: the WhatsApp window counts from when the customer wrote.
  const at = input.receivedAt && input.receivedAt < now ? input.receivedAt : now;
  // A reaction (👍 on a reply) is shown, but asks nothing of the team.
  const awaitsReply = !input.meta?.reaction;
  // R42: a rating for a closed conversation's request is recorded there; nothing opens or reopens.
  const answer = answerIn(input);
  if (answer) {
    const answered = await recordCsatAnswer({ ...ctx, now: () => now }, actor, {
      ...answer,
      channel: input.channel,
      endpointAddress: input.endpointAddress,
      address: input.from.address,
      provider: input.provider,
      providerMessageId: input.providerMessageId,
    });
    if (answered) return { ...answered, openedConversation: false, aiAnswers: false };
  }
  const shortcut = opts.shortcut === undefined ? appendToOpenConversation : opts.shortcut;
  const facts = { ...input, at, awaitsReply };
  const newSender = opts.newSender === undefined ? openForNewSender : opts.newSender;
  const fast =
    (shortcut ? await shortcut(ctx.em, facts, now) : null) ??
    (newSender ? await newSender(ctx.em, facts, now) : null);
  if (fast) {
    if (ctx.dispatch && fast.events.length > 0) await ctx.dispatch(fast.events);
    const { conversationId, messageId, events } = fast;
    const duplicate = fast.duplicate === true;
    return {
      conversationId,
      messageId,
      events,
      duplicate,
      openedConversation: fast.openedConversation === true,
      aiAnswers: !duplicate && fast.aiAnswers,
    };
  }

  // The same clock for both paths: one webhook, one time.
  return inTransactionRetryingRaces({ ...ctx, now: () => now }, async (tx, record) => {
    const existing = await tx.findOne(Message, {
      provider: input.provider,
      providerMessageId: input.providerMessageId,
    });
    if (existing) {
      return {
        conversationId: existing.conversation.id,
        messageId: existing.id,
        duplicate: true,
        openedConversation: false,
        aiAnswers: false,
      };
    }

    const endpoint = await tx.findOne(
      ChannelEndpoint,
      { channel: input.channel, address: input.endpointAddress },
      { populate: ['group'] },
    );
    if (!endpoint) {
      throw new AppError(
        'not_found',
        `No ${input.channel} endpoint "${input.endpointAddress}" is set up in Parley. Add it to a group in the workspace setup.`,
      );
    }
    const group = endpoint.group;
    const identity = await findOrCreateIdentity(tx, endpoint, input.from);
    const contact = identity.contact;

    let conv = await findOpenConversation(tx, contact, group);
    const openedConversation = !conv;
    if (!conv) {
      conv = await openConversation(tx, {
        account: endpoint.account,
        group,
        contact,
        channel: input.channel,
        endpoint,
        direction: 'inbound',
        identified: identity.identified,
        visibleToIds: await newConversationVisibility(tx, group, contact),
        now,
      });
    }
    // R3: replies go out where the customer last wrote.
    conv.channel = input.channel;
    conv.endpoint = endpoint;

    const previousLastMessageAt = conv.lastMessageAt;
    const message = await appendMessage(tx, conv, {
      kind: 'inbound',
      text: input.text ?? null,
      attachments: input.attachments ?? [],
      channel: input.channel,
      endpoint,
      provider: input.provider,
      providerMessageId: input.providerMessageId,
      meta: input.meta,
      awaitsReply,
      now: at,
    });
    // A late webhook must not move the conversation back in the inbox order.
    if (!openedConversation && previousLastMessageAt > conv.lastMessageAt)
      conv.lastMessageAt = previousLastMessageAt;
    if (openedConversation)
      record({ type: 'conversation.opened', conversationId: conv.id, groupId: group.id });
    const aiAnswers = awaitsReply && shouldAiAnswer(conv);
    record({
      ...messageCreated(conv, message),
      ...(aiAnswers ? { aiAnswers: true } : {}),
      ...(awaitsReply && group.autoResponder?.enabled ? { autoResponder: true } : {}),
    });
    return {
      conversationId: conv.id,
      messageId: message.id,
      duplicate: false,
      openedConversation,
      aiAnswers,
    };
  });
}

type Sender = z.infer<typeof receiveInboundSchema>['from'];

/** The identity the message came from; a first message from an unknown address creates the contact. */
async function findOrCreateIdentity(
  tx: EntityManager,
  endpoint: ChannelEndpoint,
  from: Sender,
): Promise<ContactIdentity> {
  const identity = await tx.findOne(
    ContactIdentity,
    { account: endpoint.account, channel: endpoint.channel, address: from.address },
    { populate: ['contact'] },
  );
  if (identity) {
    // A session that has since signed in to the portal becomes identified (R16 applies from then on).
    if (from.identified && !identity.identified) identity.identified = true;
    const contact = identity.contact;
    if (from.portalProfile && !contact.portalProfile) contact.portalProfile = from.portalProfile;
    if (from.name && !contact.name) contact.name = from.name;
    return identity;
  }
  // R3: a number the contact already uses on another phone channel (WhatsApp, SMS) is the same person.
  const samePhone = phoneChannels.includes(endpoint.channel as ChannelName)
    ? await tx.findOne(
        ContactIdentity,
        { account: endpoint.account, channel: { $in: phoneChannels }, address: from.address },
        { populate: ['contact'], orderBy: { createdAt: 'asc' } },
      )
    : null;
  const contact =
    samePhone?.contact ??
    tx.create(Contact, {
      account: endpoint.account,
      name: from.name ?? from.portalProfile?.name ?? null,
      portalProfile: from.portalProfile ?? null,
    });
  return tx.create(ContactIdentity, {
    account: endpoint.account,
    contact,
    channel: endpoint.channel,
    address: from.address,
    identified: from.identified,
  });
}
