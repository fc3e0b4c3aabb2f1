import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type Attachment,
  ChannelEndpoint,
  type Contact,
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
import { newConversationVisibility } from './new-conversation-visibility.ts';
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
async function channelRefusal(tx: EntityManager, q: ChannelRuleQuery): Promise<SendRefusal | null> {
  const capabilities = capabilitiesOf(q.channel);
  if (!capabilities) throw unknownChannel(q.channel);
  const isTemplate = !!q.template;
  const needsWindow = capabilities.serviceWindowHours !== null && !isTemplate;
  const facts = await contactFacts(
    tx,
    q.contact.id,
    q.channel,
    needsWindow ? (q.endpoint?.id ?? null) : undefined,
  );
  return sendRefusal({
    capabilities,
    contactName: q.contact.name ?? 'This contact',
    hasIdentity: facts.hasIdentity,
    hasPortalProfile: !!q.contact.portalProfile,
    inLiveConversation: !!q.inLiveConversation,
    optedOut: (q.contact.optedOutChannels ?? []).includes(q.channel),
    isTemplate,
    hasAttachments: (q.attachments?.length ?? 0) > 0,
    textLength: q.text ? [...q.text].length : 0,
    lastInboundAt: facts.lastInboundAt,
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
 * R7's facts about a contact on a channel as SQL, over column names or placeholders: whether they
 * have an address there, and their latest inbound message on it in any of their conversations.
 * With an endpoint, only messages to that number count: WhatsApp's window is per business
 * number. Shared with reply-in-open-conversation.ts, so both paths read the same facts.
 */
export function channelFactsSql(contact: string, channel: string, endpoint: string | null) {
  return {
    hasIdentity: `exists (select 1 from contact_identity ci
      where ci.contact_id = ${contact} and ci.channel = ${channel})`,
    lastInboundAt: `(select max(m.created_at) from message m join conversation mc on mc.id = m.conversation_id
      where mc.contact_id = ${contact} and m.kind = 'inbound' and m.channel = ${channel}${endpoint ? ` and m.endpoint_id = ${endpoint}` : ''})`,
  };
}

/** The facts above in one statement; the window only when the channel has one (`windowEndpoint` given). */
async function contactFacts(
  tx: EntityManager,
  contactId: string,
  channel: string,
  windowEndpoint: string | null | undefined,
): Promise<{ hasIdentity: boolean; lastInboundAt: Date | null }> {
  const sql = channelFactsSql('?', '?', windowEndpoint ? '?' : null);
  const window = windowEndpoint === undefined ? 'null::timestamptz' : sql.lastInboundAt;
  const windowParams =
    windowEndpoint === undefined ? [] : [contactId, channel, ...(windowEndpoint ? [windowEndpoint] : [])];
  const rows = await tx
    .getConnection()
    .execute<{ has_identity: boolean; at: Date | string | null }[]>(
      `select ${sql.hasIdentity} as has_identity, ${window} as at`,
      [contactId, channel, ...windowParams],
      'all',
      tx.getTransactionContext(),
    );
  const at = rows[0]?.at;
  return { hasIdentity: !!rows[0]?.has_identity, lastInboundAt: at ? new Date(at) : null };
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
  /** A closed conversation the user replied in: a new conversation keeps its restriction (R34). */
  repliedIn?: Conversation;
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
 * Sends a user's message to a contact: the conversation it lands in (the contact's open one in the
 * group, or a new one, R2/R22) must be one the sender may see (R17, R34), then the R7 rules
 * (nothing is written when refused), then a reply queued for delivery.
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
  const viewer = toViewer(user);
  const given = input.conversation?.status === 'open' ? input.conversation : undefined;
  const existing = given ?? (await findOpenConversation(tx, contact, group));
  // R17/R34: decided before the channel rules, whose refusals name the contact. A sender who would
  // not see the conversation their message lands in is refused without naming or numbering it.
  const visibleToIds = existing
    ? (existing.visibleToIds ?? null)
    : await newConversationVisibility(tx, group, contact, input.repliedIn);
  if (!canSee(viewer, { groupId: group.id, visibleToIds })) throw restrictedContact(group);
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

  const opened = !existing;
  const conversation =
    existing ??
    (await openConversation(tx, {
      account: group.account,
      group,
      contact,
      channel,
      endpoint,
      direction: 'outbound',
      identified: true,
      visibleToIds,
      now,
    }));
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

/** R34: a refusal that names neither the contact nor the conversation the sender may not see. */
const restrictedContact = (group: Group) =>
  new AppError(
    'forbidden',
    `This contact's conversations in ${group.name} are restricted to a list of users you are not on, so you cannot write to them. Ask an admin of ${group.name}.`,
    { rule: 'R17' },
  );

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
