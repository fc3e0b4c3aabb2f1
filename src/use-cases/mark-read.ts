import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { type Conversation, ReadState, type User } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { isUnread, unreadMarker } from '../domain/unread.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';
import { loadActingUser, loadConversationFor } from './load.ts';

/** R12: unread is per user; viewing, replying or marking read moves that user's marker. */

export const markReadInput = z.strictObject({ conversationId: z.uuid() });
export type MarkReadInput = z.input<typeof markReadInput>;

export interface ReadResult {
  conversationId: string;
  lastReadSeq: number;
  unread: boolean;
}

/** R12: the user has now read everything in the conversation (they viewed it or pressed "mark read"). */
export async function markRead(
  ctx: UseCaseContext,
  actor: Actor,
  input: MarkReadInput,
): Promise<WithEvents<ReadResult>> {
  return setReadMarker(ctx, actor, input, (lastSeq) => lastSeq);
}

/** R12: Slack and Teams users expect "mark unread": the latest message shows as new again. */
export async function markUnread(
  ctx: UseCaseContext,
  actor: Actor,
  input: MarkReadInput,
): Promise<WithEvents<ReadResult>> {
  return setReadMarker(ctx, actor, input, unreadMarker);
}

async function setReadMarker(
  ctx: UseCaseContext,
  actor: Actor,
  input: MarkReadInput,
  marker: (lastSeq: number) => number,
): Promise<WithEvents<ReadResult>> {
  const { conversationId } = parseInput(markReadInput, input);
  return inTransaction(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    // Reading changes no conversation state, so no row lock on the conversation.
    const conv = await loadConversationFor(tx, user, conversationId, { lock: false });
    const lastReadSeq = marker(conv.lastSeq);
    await writeReadMarker(tx, user, conv, lastReadSeq, now);
    record({ type: 'conversation.read', conversationId: conv.id, userId: user.id });
    return { conversationId: conv.id, lastReadSeq, unread: isUnread(conv.lastSeq, lastReadSeq) };
  });
}

/**
 * R12 inside another use-case's transaction: a user who replies in a conversation has read it.
 * Call after appending the reply.
 */
export function markReadWithin(tx: EntityManager, user: User, conv: Conversation, now: Date): Promise<void> {
  return writeReadMarker(tx, user, conv, conv.lastSeq, now);
}

/**
 * A user's own action (assign, close...) appends a system line; it must not turn a conversation
 * the user had fully read into an unread one for that same user. Call after appending the line,
 * with the conversation's lastSeq from before it.
 */
export async function keepReadAfterOwnLine(
  tx: EntityManager,
  user: User,
  conv: Conversation,
  seqBefore: number,
) {
  await tx.nativeUpdate(
    ReadState,
    { user: user.id, conversation: conv.id, lastReadSeq: { $gte: seqBefore } },
    { lastReadSeq: conv.lastSeq },
  );
}

async function writeReadMarker(
  tx: EntityManager,
  user: User,
  conv: Conversation,
  lastReadSeq: number,
  now: Date,
) {
  // The conversation and its new messages may be unflushed in this transaction; the upsert needs their rows.
  await tx.flush();
  await tx.upsert(ReadState, { user, conversation: conv, lastReadSeq, updatedAt: now });
}
