import { LockMode } from '@mikro-orm/core';
import { AiTurn, Conversation, Message } from '../db/entities/index.ts';
import { aiActor } from '../domain/actor.ts';
import { shouldAiAnswer } from '../domain/ai.ts';
import { AppError } from '../domain/errors.ts';
import type { AiAnswer, AiModelError } from '../ports/ai-model.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { applyAiReply } from './record-ai-reply.ts';

export interface FinishOptions {
  /** Failed calls for one answer before the agent hands off (AI_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Wait before the next attempt when the vendor did not say (doubles per attempt). */
  backoffMs: number;
  /** The answer as the customer will get it (capped, plain text). */
  shape: (text: string) => string;
}

export type FinishResult =
  | { step: 'answered' | 'drafted' | 'handed_off'; messageId: string | null }
  | { step: 'dropped'; reason: string; newerMessageId: string | null }
  | { step: 'retry'; delayMs: number; attempt: number; messageId: string }
  /** The turn is no longer this worker's (its claim ran out and another took it over). */
  | { step: 'stale' };

/**
 * R36: the model answered (or failed) for a claimed turn. Under the conversation's lock the answer
 * is dropped when a person replied, took the conversation back or closed it meanwhile, or the
 * customer wrote again (that message's turn answers both); otherwise it is recorded like any
 * reply (recordAiReply's path): sent, drafted, or a handoff with the model's summary as a note.
 * Failures are retried with backoff (the vendor's Retry-After first); the last one hands off.
 */
export async function finishAiTurn(
  ctx: UseCaseContext,
  claimed: { turnId: string; conversationId: string },
  outcome: { answer: AiAnswer } | { error: AiModelError },
  opts: FinishOptions,
): Promise<WithEvents<FinishResult>> {
  return inTransaction(ctx, async (tx, record, now): Promise<FinishResult> => {
    const conv = await tx.findOne(
      Conversation,
      { id: claimed.conversationId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['group'] },
    );
    // Read under the conversation's lock: a worker that took the turn over is seen here.
    const turn = await tx.findOne(
      AiTurn,
      { id: claimed.turnId, conversation: claimed.conversationId },
      { populate: ['trigger'] },
    );
    if (!conv || turn?.status !== 'thinking') return { step: 'stale' };
    const handOff = async (reason: string, summary?: string, text?: string | null) => {
      const draft = conv.group.aiAgent?.mode === 'draft';
      const { message } = await applyAiReply(tx, record, now, conv, aiActor, {
        conversationId: conv.id,
        handoff: true,
        handoffReason: reason,
        handoffSummary: summary,
        text: text ? opts.shape(text) : undefined,
        draft,
      });
      Object.assign(turn, { status: 'handed_off', reason, claimedUntil: null, answer: message });
      record({ type: 'ai.handed_off', conversationId: conv.id, groupId: conv.group.id, turnId: turn.id });
      return { step: 'handed_off' as const, messageId: message?.id ?? null };
    };

    if ('error' in outcome) {
      const { error } = outcome;
      if (!shouldAiAnswer(conv)) return drop(turn, 'the conversation changed while the model was asked');
      if (error.retryable && turn.attempts < opts.maxAttempts) {
        const delayMs = error.retryAfterMs ?? opts.backoffMs * 2 ** (turn.attempts - 1);
        Object.assign(turn, {
          status: 'waiting',
          reason: error.message,
          claimedUntil: null,
          dueAt: new Date(now.getTime() + delayMs),
        });
        return { step: 'retry', delayMs, attempt: turn.attempts, messageId: turn.trigger.id };
      }
      return handOff(`AI agent unavailable: ${error.message}`);
    }

    const { answer } = outcome;
    turn.inputTokens += answer.usage.inputTokens;
    turn.outputTokens += answer.usage.outputTokens;
    if (!shouldAiAnswer(conv))
      return drop(
        turn,
        conv.status !== 'open'
          ? `the conversation was ${conv.status}`
          : 'a person took the conversation over',
      );
    // What came after the message being answered: a person's reply, or the customer writing again.
    const later = await tx.find(
      Message,
      {
        conversation: conv,
        seq: { $gt: turn.trigger.seq },
        $or: [{ kind: 'reply' }, { kind: 'inbound', awaitingReply: true }],
      },
      { orderBy: { seq: 'desc' } },
    );
    if (later.some((m) => m.kind === 'reply')) return drop(turn, 'a person replied meanwhile');
    if (answer.kind === 'handoff') return handOff(answer.reason, answer.summary, answer.text);
    const newer = later.find((m) => m.kind === 'inbound');
    if (newer) return { ...drop(turn, 'the customer wrote again'), newerMessageId: newer.id };
    const draft = conv.group.aiAgent?.mode === 'draft';
    let message: Message | null;
    try {
      ({ message } = await applyAiReply(tx, record, now, conv, aiActor, {
        conversationId: conv.id,
        text: opts.shape(answer.text),
        handoff: false,
        draft,
      }));
    } catch (e) {
      // The channel refused the answer (R7: an opt-out, WhatsApp's window...): a person takes over.
      if (e instanceof AppError) return handOff(`the AI agent's answer could not be sent: ${e.message}`);
      throw e;
    }
    Object.assign(turn, { status: draft ? 'drafted' : 'answered', claimedUntil: null, answer: message });
    return { step: draft ? 'drafted' : 'answered', messageId: message?.id ?? null };
  });
}

function drop(turn: AiTurn, reason: string) {
  Object.assign(turn, { status: 'dropped', reason, claimedUntil: null });
  return { step: 'dropped' as const, reason, newerMessageId: null };
}
