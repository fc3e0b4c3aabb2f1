import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { type AiAgentSettings, AiTurn, Conversation, Message } from '../db/entities/index.ts';
import { aiActor } from '../domain/actor.ts';
import { shouldAiAnswer } from '../domain/ai.ts';
import type { AiContextEntry } from '../ports/ai-model.ts';
import { buildAiContext } from './ai-context.ts';
import { answersGiven, tokensSpent, utcDayStart } from './ai-limits.ts';
import { inTransactionRetryingRaces, type UseCaseContext, type WithEvents } from './context.ts';
import { applyAiReply } from './record-ai-reply.ts';

export interface ClaimOptions {
  /** Customer messages this close together are answered once, after the last. */
  burstWindowMs: number;
  /** How long a worker holds a turn while the model thinks (the call's timeout and a margin). */
  claimMs: number;
  /** Whether a model is configured at all. */
  modelConfigured: boolean;
  defaultModel: string;
}

export type ClaimResult =
  /** Nothing to answer (a person replied, the AI is off, another turn answered the burst...). */
  | { step: 'skip'; reason: string }
  /** Come back later: the burst may go on, or a retry is due then. */
  | { step: 'wait'; delayMs: number; messageId: string; attempt: number }
  /** A cap or a missing model handed the conversation to a person instead. */
  | { step: 'handed_off'; turnId: string; reason: string }
  | {
      step: 'think';
      turnId: string;
      messageId: string;
      attempt: number;
      settings: AiAgentSettings;
      model: string;
      conversation: AiContextEntry[];
    };

/** The model reads at most this many recent lines of the conversation. */
const CONTEXT_LINES = 40;

/**
 * R36: the ai-reply job asks whether the AI agent should answer now, and claims the turn if so.
 * Under the conversation's lock: the latest customer message waiting for an answer is the one
 * answered (a burst once, after it went quiet); its turn row is unique, so it is answered once
 * whatever Redis does; one turn thinks at a time in a conversation; the caps hand off instead.
 */
export async function claimAiTurn(
  ctx: UseCaseContext,
  conversationId: string,
  opts: ClaimOptions,
): Promise<WithEvents<ClaimResult>> {
  return inTransactionRetryingRaces(ctx, async (tx, record, now): Promise<ClaimResult> => {
    const conv = await tx.findOne(
      Conversation,
      { id: conversationId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['group'] },
    );
    if (!conv || !shouldAiAnswer(conv)) return { step: 'skip', reason: 'the AI agent is not answering here' };
    const latest = await tx.findOne(
      Message,
      { conversation: conv, kind: 'inbound', awaitingReply: true },
      { orderBy: { seq: 'desc' } },
    );
    if (!latest) return { step: 'skip', reason: 'no customer message is waiting' };
    const quietFor = now.getTime() - latest.createdAt.getTime();
    if (quietFor < opts.burstWindowMs)
      return { step: 'wait', delayMs: opts.burstWindowMs - quietFor, messageId: latest.id, attempt: 0 };

    const turns = await tx.find(AiTurn, { conversation: conv, status: { $in: ['thinking', 'waiting'] } });
    let turn = turns.find((t) => t.trigger.id === latest.id) ?? null;
    for (const t of turns) {
      if (t === turn) continue;
      // An older turn still thinking answers a burst that has grown: it will see the newer message
      // when it finishes and wake this one. One that crashed or waits for a retry is superseded.
      if (t.status === 'thinking' && t.claimedUntil && t.claimedUntil > now)
        return { step: 'skip', reason: 'an earlier answer is being written' };
      Object.assign(t, { status: 'dropped', reason: 'the customer wrote again', claimedUntil: null });
    }
    if (!turn) {
      const done = await tx.count(AiTurn, { trigger: latest });
      if (done > 0) return { step: 'skip', reason: 'this message was answered' };
    } else if (turn.status === 'thinking' && turn.claimedUntil && turn.claimedUntil > now) {
      // Another worker is asking the model; if it dies, the reconciler wakes the turn after its claim.
      return { step: 'skip', reason: 'the answer is being written' };
    } else if (turn.status === 'waiting' && turn.dueAt && turn.dueAt > now) {
      // Its retry is a delayed job already (and the reconciler's, should Redis lose it).
      return { step: 'skip', reason: 'the next attempt is due later' };
    }
    turn ??= tx.create(AiTurn, {
      account: conv.account,
      group: conv.group,
      conversation: conv,
      trigger: latest,
      status: 'thinking',
    });

    const settings = conv.group.aiAgent;
    const model = settings?.model ?? opts.defaultModel;
    const refusal = await capReached(tx, conv, settings, opts, now);
    if (refusal) {
      Object.assign(turn, { status: 'handed_off', reason: refusal, claimedUntil: null, model });
      await applyAiReply(tx, record, now, conv, aiActor, {
        conversationId: conv.id,
        handoff: true,
        handoffReason: refusal,
        draft: false,
      });
      await tx.flush();
      record({ type: 'ai.handed_off', conversationId: conv.id, groupId: conv.group.id, turnId: turn.id });
      return { step: 'handed_off', turnId: turn.id, reason: refusal };
    }
    Object.assign(turn, {
      status: 'thinking',
      attempts: turn.attempts + 1,
      claimedUntil: new Date(now.getTime() + opts.claimMs),
      dueAt: null,
      model,
    });
    await tx.flush();
    const conversation = (await buildAiContext(tx, conv.id)).slice(-CONTEXT_LINES);
    return {
      step: 'think',
      turnId: turn.id,
      messageId: latest.id,
      attempt: turn.attempts,
      settings: settings!,
      model,
      conversation,
    };
  });
}

/** Why the agent must hand off instead of answering (R36 caps), or null. */
async function capReached(
  tx: EntityManager,
  conv: Conversation,
  settings: AiAgentSettings | null | undefined,
  opts: ClaimOptions,
  now: Date,
): Promise<string | null> {
  if (!settings?.enabled) return 'the AI agent was turned off for this group';
  if (!opts.modelConfigured)
    return 'AI agent unavailable: no model is configured (OPENAI_API_KEY is not set)';
  if (settings.maxTurns && (await answersGiven(tx, conv)) >= settings.maxTurns)
    return `the AI agent reached its limit of ${settings.maxTurns} ${settings.maxTurns === 1 ? 'answer' : 'answers'} in this conversation`;
  if (settings.dailyTokenBudget) {
    const spent = await tokensSpent(tx, conv.group.id, utcDayStart(now));
    if (spent >= settings.dailyTokenBudget)
      return `the group's daily AI budget of ${settings.dailyTokenBudget.toLocaleString('en-US')} tokens is used up`;
  }
  return null;
}
