import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../src/config.ts';
import type { DomainEvent } from '../src/domain/events.ts';
import { enqueue, type Queues } from '../src/jobs/queues.ts';
import type { Processor } from '../src/jobs/worker.ts';
import { type AiModel, AiModelError } from '../src/ports/ai-model.ts';
import { aiRequestFor, capReply } from '../src/use-cases/ai-request.ts';
import { claimAiTurn } from '../src/use-cases/claim-ai-turn.ts';
import { finishAiTurn } from '../src/use-cases/finish-ai-turn.ts';

/** A turn's claim outlives the model call by this much (the recording transaction after it). */
const CLAIM_MARGIN_MS = 15_000;
const RETRY_BACKOFF_MS = 2_000;

/**
 * ai-reply (R36): claim the turn, ask the model outside any transaction, record the answer. A
 * wait (the burst goes on, a retry is due) is a later job, never a sleep.
 */
export function aiReplyProcessor(deps: {
  model: AiModel | null;
  queues: Queues;
  config: Config;
  dispatch: (events: DomainEvent[]) => Promise<void>;
  /** Sends an answer at once (deliver.worker.ts's deliverNow); without it, the deliver job does. */
  deliver?: (em: EntityManager, messageId: string) => Promise<unknown>;
}): Processor<'aiReply'> {
  const { config, queues } = deps;
  const later = (conversationId: string, messageId: string, attempt: number, delayMs: number) =>
    enqueue(
      queues,
      'aiReply',
      { conversationId, messageId, attempt, wake: Date.now() + delayMs },
      { delayMs },
    );

  return async ({ conversationId }, { em }) => {
    const claim = await claimAiTurn({ em, dispatch: deps.dispatch }, conversationId, {
      burstWindowMs: config.AI_BURST_WINDOW_MS,
      claimMs: config.AI_TIMEOUT_MS + CLAIM_MARGIN_MS,
      modelConfigured: deps.model !== null,
      defaultModel: config.OPENAI_MODEL,
    });
    if (claim.step === 'wait') await later(conversationId, claim.messageId, claim.attempt, claim.delayMs);
    if (claim.step !== 'think' || !deps.model) return claim.step;

    const request = { ...aiRequestFor(claim.settings, claim.conversation, config), model: claim.model };
    let outcome: Parameters<typeof finishAiTurn>[2];
    try {
      outcome = { answer: await deps.model.respond(request) };
    } catch (e) {
      const error =
        e instanceof AiModelError ? e : new AiModelError((e as Error).message, { retryable: true });
      outcome = { error };
    }
    const claimed = { turnId: claim.turnId, conversationId };
    const done = await finishAiTurn({ em: em.fork(), dispatch: deps.dispatch }, claimed, outcome, {
      maxAttempts: config.AI_MAX_ATTEMPTS,
      backoffMs: RETRY_BACKOFF_MS,
      shape: (text) => capReply(text, config.AI_MAX_REPLY_CHARS),
    });
    // The answer goes out now, not one queue hop later (its deliver job then finds it claimed).
    if (done.step === 'answered' && done.messageId && deps.deliver)
      await deps.deliver(em.fork(), done.messageId);
    if (done.step === 'retry') await later(conversationId, done.messageId, done.attempt, done.delayMs);
    // The customer wrote while the model thought: the newer message's turn answers both now.
    if (done.step === 'dropped' && done.newerMessageId)
      await enqueue(queues, 'aiReply', { conversationId, messageId: done.newerMessageId, attempt: 0 });
    return done.step;
  };
}
