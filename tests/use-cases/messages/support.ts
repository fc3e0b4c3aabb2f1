import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type Account,
  ChannelEndpoint,
  Conversation,
  type Group,
  Message,
} from '../../../src/db/entities/index.ts';
import type { Actor } from '../../../src/domain/actor.ts';
import type { Logger } from '../../../src/logger.ts';
import { inTransaction, type UseCaseContext } from '../../../src/use-cases/context.ts';
import { parseInput } from '../../../src/use-cases/input.ts';
import { loadConversationLocked } from '../../../src/use-cases/load.ts';
import { type ReceiveInboundInput, receiveInbound } from '../../../src/use-cases/receive-inbound.ts';
import {
  applyAiReply,
  type RecordAiReplyInput,
  recordAiReplySchema,
} from '../../../src/use-cases/record-ai-reply.ts';
import type { TestDb } from '../../support/test-db.ts';

/** Shared by the message-flow tests: contexts on fresh forks, and a customer writing in. */
export const ctxAt = (db: TestDb, now?: Date): UseCaseContext => ({
  em: db.em(),
  now: now ? () => now : undefined,
});

export const providerOf = (channel: string): Actor => ({ kind: 'provider', channel });

export const hoursAfter = (d: Date, hours: number) => new Date(d.getTime() + hours * 3_600_000);

export interface CustomerMessage {
  channel?: 'whatsapp' | 'sms' | 'webchat';
  endpointAddress?: string;
  from: string;
  identified?: boolean;
  text?: string;
  providerMessageId?: string;
  at?: Date;
  extra?: Partial<ReceiveInboundInput>;
}

const defaultEndpoint = { whatsapp: 'PNID_SUPPORT', sms: '+15550001111', webchat: 'wid_support' } as const;

/** A customer message arriving through the provider, as the webhook route would pass it on. */
export function customerWrites(db: TestDb, m: CustomerMessage) {
  const channel = m.channel ?? 'whatsapp';
  return receiveInbound(ctxAt(db, m.at), channel === 'webchat' ? { kind: 'contact' } : providerOf(channel), {
    channel,
    endpointAddress: m.endpointAddress ?? defaultEndpoint[channel],
    from: { address: m.from, identified: m.identified ?? true },
    provider: channel === 'sms' ? 'twilio' : channel === 'whatsapp' ? 'meta' : 'parley-webchat',
    providerMessageId: m.providerMessageId ?? randomUUID(),
    text: m.text ?? 'Hello',
    ...m.extra,
  });
}

export const loadConversation = (em: EntityManager, id: string) => em.findOneOrFail(Conversation, { id });

export const messagesOf = (em: EntityManager, conversationId: string) =>
  em.find(Message, { conversation: conversationId }, { orderBy: { seq: 'asc' } });

/** Closes a conversation directly (closing is another use-case's job; these tests only need the state). */
export async function closeDirectly(db: TestDb, id: string) {
  const em = db.em();
  const conv = await em.findOneOrFail(Conversation, { id });
  conv.status = 'closed';
  conv.closedAt = new Date();
  await em.flush();
}

/** A phone number no other test in the file uses. */
export const newPhone = () => `+1555${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;

/**
 * The AI agent records an answer as the ai-reply job does (applyAiReply under the conversation's
 * lock), without a model: the message-flow rules (R11, R14) tested on their own.
 */
export async function recordAiReply(ctx: UseCaseContext, actor: Actor, raw: RecordAiReplyInput) {
  const input = parseInput(recordAiReplySchema, raw);
  return inTransaction(ctx, async (tx, record, now) => {
    const conv = await loadConversationLocked(tx, input.conversationId);
    const { message } = await applyAiReply(tx, record, now, conv, actor, input);
    return { conversationId: conv.id, messageId: message?.id ?? null, handedOff: input.handoff };
  });
}

/**
 * A web process's group commit options with one batch at a time, so a test can line items up
 * behind a first one (written alone at once) and know they go together in the next batch; it
 * records each batch's size and each batch that failed as a whole.
 */
export function recordedGroupCommit(db: TestDb) {
  const batches: number[] = [];
  const failures: string[] = [];
  const logger = { info: (o: { err: string }) => failures.push(o.err) } as unknown as Logger;
  const options = {
    fork: () => db.em(),
    logger,
    maxBatch: 64,
    maxInFlight: 1,
    onBatch: (_channel: string, size: number) => batches.push(size),
  };
  return { options, batches, failures };
}

/**
 * The rows of one query, every column but `omit`: what two paths that must store the same thing
 * (a shortcut and the full use-case) are compared by, without the ids and clocks that differ.
 */
export async function rowsWithout(
  db: TestDb,
  sql: string,
  params: unknown[],
  omit: string[],
): Promise<Record<string, unknown>[]> {
  const rows = (await db.em().getConnection().execute(sql, params)) as Record<string, unknown>[];
  return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !omit.includes(k))));
}

/** A number or widget of `group` on each channel given, named after its channel. */
export function addEndpoints(
  em: EntityManager,
  account: Account,
  group: Group,
  addresses: Partial<Record<'whatsapp' | 'sms' | 'webchat', string>>,
): void {
  for (const [channel, address] of Object.entries(addresses))
    em.create(ChannelEndpoint, { account, group, channel, address, name: channel });
}

/** A conversation's row without what differs between two conversations (id, number, contact, clock). */
export async function conversationRow(db: TestDb, conversationId: string) {
  const [row] = await rowsWithout(
    db,
    'select * from conversation where id = ?',
    [conversationId],
    ['id', 'number', 'contact_id', 'updated_at'],
  );
  return row;
}
