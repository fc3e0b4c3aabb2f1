import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger.ts';
import {
  appendToOpenConversation,
  type FastAppend,
  type InboundFacts,
  type InboundShortcut,
} from '../../use-cases/append-inbound.ts';
import { appendBatchToOpenConversations } from '../../use-cases/append-inbound-batch.ts';
import { createGroupCommit, type GroupCommit } from './group-commit.ts';

export interface InboundGroupCommitOptions {
  /** A fresh EntityManager per batch. */
  fork: () => EntityManager;
  logger: Logger;
  /** Most messages in one statement (WEBHOOK_BATCH_MAX). */
  maxBatch: number;
  /** Batches written at once per channel: each holds one pool connection. */
  maxInFlight?: number;
  onBatch?: (channel: string, size: number) => void;
}

interface Item {
  facts: InboundFacts;
  now: Date;
}

/** The batch statement failed as a whole: each message goes its own way, as without batching. */
const ALONE = 'alone' as const;
type Outcome = FastAppend | null | typeof ALONE;

/**
 * receiveInbound's first path for webhooks, shared between requests: messages arriving together
 * are written by one statement (append-inbound-batch.ts). A message the batch does not take (a
 * new sender…) gets null and the full use-case; when the batch statement fails (a constraint,
 * a retry that raced it), every message of it is tried alone, the one-statement path and then
 * the full use-case, so each request still gets its own answer.
 */
export function createInboundGroupCommit(opts: InboundGroupCommitOptions): InboundShortcut {
  const byChannel = new Map<string, GroupCommit<Item, Outcome>>();

  const writeBatch =
    (channel: string) =>
    async (items: Item[]): Promise<Outcome[]> => {
      const now = new Date(Math.max(...items.map((i) => i.now.getTime())));
      try {
        const out = await appendBatchToOpenConversations(
          opts.fork(),
          channel,
          items.map((i) => i.facts),
          now,
        );
        return out.map((r) => {
          if (r.kind === 'slow') return null;
          if (r.kind === 'stored') return r;
          return {
            conversationId: r.conversationId,
            messageId: r.messageId,
            aiAnswers: false,
            events: [],
            duplicate: true,
          };
        });
      } catch (err) {
        opts.logger.info(
          { err: (err as Error).message, channel, batch: items.length },
          'a batch of webhook messages failed together; each is written alone',
        );
        return items.map(() => ALONE);
      }
    };

  const commitFor = (channel: string) => {
    let commit = byChannel.get(channel);
    if (!commit) {
      commit = createGroupCommit<Item, Outcome>({
        write: writeBatch(channel),
        maxBatch: opts.maxBatch,
        maxInFlight: opts.maxInFlight ?? 2,
        onBatch: (size) => opts.onBatch?.(channel, size),
      });
      byChannel.set(channel, commit);
    }
    return commit;
  };

  return async (em, facts, now) => {
    const outcome = await commitFor(facts.channel).submit({ facts, now });
    return outcome === ALONE ? appendToOpenConversation(em, facts, now) : outcome;
  };
}
