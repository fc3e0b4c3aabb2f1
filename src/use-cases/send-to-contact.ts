import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type Attachment,
  ChannelEndpoint,
  type Contact,
  ContactIdentity,
  Conversation,
  type Group,
  type Message,
  type TemplateRef,
  type User,
} from '../db/entities/index.ts';
import { type SendRefusal, sendRefusal } from '../domain/channel-rules.ts';
import { capabilitiesOf } from '../domain/channels.ts';
import { AppError } from '../domain/errors.ts';
import { canSee, isMember } from '../domain/visibility.ts';
import { toViewer } from './load.ts';
import { appendMessage, type MessageSource, openConversation } from './timeline.ts';

/**
 * The outbound core shared by start-conversation, send-reply and broadcasts: check the channel
 * rules (R7), find or open the contact's conversation in the group, append a queued reply.
 */

// ---- channel rules (R7) --------------------------------------------------------------------

export interface ChannelRuleQuery {
  contact: Contact;
  channel: string;
  endpoint: ChannelEndpoint | null;
  text?: string | null;
  template?: TemplateRef | null;
  attachments?: Attachment[];
  /** Replying in the conversation the customer writes in on this channel (a live webchat session). */
  inLiveConversation?: boolean;
  now: Date;
}

/** Gathers the facts R7 looks at and returns the refusal, if any. */
export async function channelRefusal(tx: EntityManager, q: ChannelRuleQuery): Promise<SendRefusal | null> {
  const capabilities = capabilitiesOf(q.channel);
  if (!capabilities) throw unknownChannel(q.channel);
  const isTemplate = !!q.template;
  const needsWindow = capabilities.serviceWindowHours !== null && !isTemplate;
  return sendRefusal({
    capabilities,
    contactName: q.contact.name ?? 'This contact',
    hasIdentity: (await tx.count(ContactIdentity, { contact: q.contact, channel: q.channel })) > 0,
    hasPortalProfile: !!q.contact.portalProfile,
    inLiveConversation: !!q.inLiveConversation,
    optedOut: (q.contact.optedOutChannels ?? []).includes(q.channel),
    isTemplate,
    hasAttachments: (q.attachments?.length ?? 0) > 0,
    textLength: q.text ? [...q.text].length : 0,
    lastInboundAt: needsWindow
      ? await lastInboundAt(tx, q.contact.id, q.channel, q.endpoint?.id ?? null)
      : null,
    now: q.now,
  });
}

/** Throws the R7 refusal as a `channel_refused` error the user can act on. */
export async function assertChannelAllows(tx: EntityManager, q: ChannelRuleQuery): Promise<void> {
  const refusal = await channelRefusal(tx, q);
  if (refusal) {
    throw new AppError('channel_refused', refusal.message, {
      rule: 'R7',
      reason: refusal.code,
      channel: q.channel,
    });
  }
}

/**
 * The customer's latest inbound message on a channel, in any of their conversations. With an
 * endpoint, only messages to that number count: WhatsApp's window is per business number.
 */
async function lastInboundAt(
  tx: EntityManager,
  contactId: string,
  channel: string,
  endpointId: string | null,
): Promise<Date | null> {
  const rows = await tx.getConnection().execute<{ at: Date | string | null }[]>(
    `select max(m.created_at) as at from message m join conversation c on c.id = m.conversation_id
      where c.contact_id = ? and m.kind = 'inbound' and m.channel = ?${endpointId ? ' and m.endpoint_id = ?' : ''}`,
    endpointId ? [contactId, channel, endpointId] : [contactId, channel],
    'all',
    tx.getTransactionContext(),
  );
  const at = rows[0]?.at;
  return at ? new Date(at) : null;
}

const unknownChannel = (channel: string) =>
  new AppError('bad_request', `Parley has no channel called "${channel}". Use webchat, whatsapp or sms.`, {
    rule: 'R1',
  });

// ---- sending -------------------------------------------------------------------------------

export interface SendToContactInput {
  user: User;
  group: Group;
  contact: Contact;
  channel: string;
  /** The group's number or widget to send from; by default the group's endpoint for the channel. */
  endpoint?: ChannelEndpoint | null;
  /** An open conversation the user is replying in, already loaded with its lock and checked (R17). */
  conversation?: Conversation;
  text?: string | null;
  template?: TemplateRef | null;
  attachments?: Attachment[];
  meta?: Record<string, unknown>;
  source?: MessageSource | null;
  now: Date;
}

export interface SendToContactResult {
  conversation: Conversation;
  message: Message;
  /** A new conversation was opened for this message. */
  opened: boolean;
}

/**
 * Sends a user's message to a contact: R7 rules first (nothing is written when refused), then the
 * contact's open conversation in the group (or a new one, R2/R22), then a reply queued for delivery.
 */
export async function sendToContact(
  tx: EntityManager,
  input: SendToContactInput,
): Promise<SendToContactResult> {
  const { user, group, contact, channel, now } = input;
  if (!isMember(toViewer(user), group.id)) {
    throw new AppError(
      'forbidden',
      `You are not a member of the group "${group.name}". Ask an admin to add you.`,
      {
        rule: 'R33',
      },
    );
  }
  const endpoint = await resolveEndpoint(tx, group, channel, input.endpoint);
  const given = input.conversation?.status === 'open' ? input.conversation : undefined;
  await assertChannelAllows(tx, {
    contact,
    channel,
    endpoint,
    text: input.text,
    template: input.template,
    attachments: input.attachments,
    inLiveConversation: !!given && given.channel === channel && given.lastInboundAt != null,
    now,
  });

  let conversation = given ?? (await findOpenConversation(tx, contact, group));
  const opened = !conversation;
  if (conversation) {
    // R17: joining the contact's open conversation must not let a user write into one they cannot see.
    if (!canSee(toViewer(user), { groupId: group.id, visibleToIds: conversation.visibleToIds ?? null })) {
      throw new AppError(
        'forbidden',
        `${contact.name ?? 'This contact'} already has an open conversation #${conversation.number}, restricted to a list you are not on. Ask one of its users to write there.`,
        { rule: 'R17', conversationNumber: conversation.number },
      );
    }
  } else {
    conversation = await openConversation(tx, {
      account: group.account,
      group,
      contact,
      channel,
      endpoint,
      direction: 'outbound',
      identified: true,
      now,
    });
  }
  const message = await appendMessage(tx, conversation, {
    kind: 'reply',
    author: user,
    text: input.text ?? null,
    template: input.template ?? null,
    attachments: input.attachments ?? [],
    channel,
    endpoint,
    deliver: true,
    meta: input.meta,
    source: input.source ?? null,
    now,
  });
  return { conversation, message, opened };
}

/** The contact's open conversation in the group, row-locked (at most one: R2, unique index). */
export function findOpenConversation(tx: EntityManager, contact: Contact, group: Group) {
  return tx.findOne(
    Conversation,
    { contact, group, status: 'open' },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
}

async function resolveEndpoint(
  tx: EntityManager,
  group: Group,
  channel: string,
  given: ChannelEndpoint | null | undefined,
): Promise<ChannelEndpoint> {
  if (!capabilitiesOf(channel)) throw unknownChannel(channel);
  if (given) {
    if (given.group.id === group.id && given.channel === channel) return given;
    throw new AppError(
      'bad_request',
      `"${given.name}" is not a ${channel} endpoint of the group "${group.name}". Pick one of the group's.`,
    );
  }
  const endpoint = await tx.findOne(ChannelEndpoint, { group, channel }, { orderBy: { createdAt: 'asc' } });
  if (!endpoint) {
    throw new AppError(
      'rule_violation',
      `The group "${group.name}" has no ${capabilitiesOf(channel)?.label} number or widget. Ask an admin to add one, or pick another channel.`,
      { channel },
    );
  }
  return endpoint;
}
