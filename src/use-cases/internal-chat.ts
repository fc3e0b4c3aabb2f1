import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { InternalChat, InternalMessage, User } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import { assertCanDeleteChat, assertCanMessage, chatPair } from '../domain/internal-chat.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { attachmentSchema, parseInput } from './input.ts';
import { loadActingUser, toViewer } from './load.ts';
import { audit } from './timeline.ts';

/**
 * R25: internal messages between two users of an account, or a user and themselves (note
 * taking). There are no group chats: the input names exactly one recipient.
 */

export const sendInternalMessageInput = z
  .strictObject({
    toUserId: z.uuid(),
    text: z.string().max(20_000).optional(),
    attachments: z.array(attachmentSchema).max(20).optional(),
    kind: z.enum(['message', 'note']).optional(),
    /** The chat message it was written as: the same key twice is refused (a replayed event). */
    sourceKey: z.string().min(1).max(255).optional(),
    /** The surface where the author wrote it in their own direct-message thread (not posted back to them there). */
    writtenOn: z.string().min(1).max(40).optional(),
  })
  .refine((m) => (m.text?.trim() ?? '') !== '' || (m.attachments?.length ?? 0) > 0, {
    message: 'write a text or add an attachment',
  });
export type SendInternalMessageInput = z.input<typeof sendInternalMessageInput>;

export const deleteInternalChatInput = z.strictObject({ chatId: z.uuid() });
export type DeleteInternalChatInput = z.input<typeof deleteInternalChatInput>;

export async function sendInternalMessage(
  ctx: UseCaseContext,
  actor: Actor,
  input: SendInternalMessageInput,
): Promise<WithEvents<{ chat: InternalChat; message: InternalMessage }>> {
  const parsed = parseInput(sendInternalMessageInput, input);
  return inTransaction(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const recipient = parsed.toUserId === user.id ? user : await tx.findOne(User, { id: parsed.toUserId });
    assertCanMessage(toViewer(user), recipient && { ...recipient, accountId: recipient.account.id });

    const chat = await lockChat(tx, user, parsed.toUserId, now);
    chat.lastSeq += 1;
    chat.lastMessageAt = now;
    markChatRead(chat, user.id);
    const message = tx.create(InternalMessage, {
      id: randomUUID(),
      chat,
      seq: chat.lastSeq,
      author: user,
      kind: parsed.kind ?? 'message',
      text: parsed.text ?? null,
      attachments: parsed.attachments ?? [],
      sourceKey: parsed.sourceKey ?? null,
      writtenOn: parsed.writtenOn ?? null,
      postedAt: null,
      createdAt: now,
    });
    record({
      type: 'internal.message_created',
      chatId: chat.id,
      messageId: message.id,
      userIds: chatUsers(chat),
    });
    return { chat, message };
  });
}

/** R25: only an admin deletes an internal chat (any chat of their account), with all its messages. */
export async function deleteInternalChat(
  ctx: UseCaseContext,
  actor: Actor,
  input: DeleteInternalChatInput,
): Promise<WithEvents<{ chatId: string; removedMessages: number }>> {
  const { chatId } = parseInput(deleteInternalChatInput, input);
  return inTransaction(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const chat = await tx.findOne(InternalChat, { id: chatId, account: user.account.id });
    if (!chat) throw new AppError('not_found', 'That internal chat does not exist in your account.');
    assertCanDeleteChat(toViewer(user));
    const removedMessages = await tx.nativeDelete(InternalMessage, { chat: chat.id });
    const userIds = chatUsers(chat);
    tx.remove(chat);
    audit(tx, user.account, actor, 'internal_chat.deleted', null, { chatId, userIds, removedMessages }, now);
    record({ type: 'internal.chat_deleted', chatId, userIds });
    return { chatId, removedMessages };
  });
}

export const markInternalChatReadInput = z.strictObject({ chatId: z.uuid() });

/** R12: the user has seen every message of the chat so far (viewing it, or "mark read"). */
export async function markInternalChatRead(
  ctx: UseCaseContext,
  actor: Actor,
  input: z.input<typeof markInternalChatReadInput>,
): Promise<WithEvents<{ chatId: string; lastReadSeq: number }>> {
  const { chatId } = parseInput(markInternalChatReadInput, input);
  return inTransaction(ctx, async (tx) => {
    const user = await loadActingUser(tx, actor);
    const chat = await tx.findOne(InternalChat, {
      id: chatId,
      $or: [{ userA: user.id }, { userB: user.id }],
    });
    if (!chat) throw new AppError('not_found', 'That internal chat does not exist or is not yours.');
    markChatRead(chat, user.id);
    return { chatId, lastReadSeq: chat.lastSeq };
  });
}

function markChatRead(chat: InternalChat, userId: string) {
  if (chat.userA.id === userId) chat.readSeqA = chat.lastSeq;
  if (chat.userB.id === userId) chat.readSeqB = chat.lastSeq;
}

const chatUsers = (chat: InternalChat) => [...new Set([chat.userA.id, chat.userB.id])];

/**
 * The pair's one chat, created on first use and row-locked so messages are numbered in order.
 * `on conflict do nothing` lets two first messages sent at once share the chat.
 */
async function lockChat(tx: EntityManager, sender: User, toUserId: string, now: Date): Promise<InternalChat> {
  const [userA, userB] = chatPair(sender.id, toUserId);
  await tx
    .getConnection()
    .execute(
      'insert into internal_chat (id, account_id, user_a_id, user_b_id, last_seq, last_message_at, created_at) values (?, ?, ?, ?, 0, ?, ?) on conflict (user_a_id, user_b_id) do nothing',
      [randomUUID(), sender.account.id, userA, userB, now, now],
      'run',
      tx.getTransactionContext(),
    );
  return tx.findOneOrFail(InternalChat, { userA, userB }, { lockMode: LockMode.PESSIMISTIC_WRITE });
}
