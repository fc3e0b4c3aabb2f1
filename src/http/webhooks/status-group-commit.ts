import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger.ts';
import {
  type StatusFacts,
  type StatusShortcut,
  updateDeliveriesBatch,
} from '../../use-cases/update-deliveries-batch.ts';
import { createGroupCommit, type GroupCommit } from './group-commit.ts';

export interface StatusGroupCommitOptions {
  fork: () => EntityManager;
  logger: Logger;
  maxBatch: number;
  maxInFlight?: number;
  onBatch?: (channel: string, size: number) => void;
}

/**
 * Status callbacks arriving together (a broadcast's receipts come in bursts) are applied by one
 * transaction (update-deliveries-batch.ts). When it fails as a whole (a deadlock with another
 * process, a lost connection), each callback is applied alone by the full use-case.
 */
export function createStatusGroupCommit(opts: StatusGroupCommitOptions): StatusShortcut {
  const byChannel = new Map<string, GroupCommit<StatusFacts, Awaited<ReturnType<StatusShortcut>>>>();

  const writeBatch = (channel: string) => async (items: StatusFacts[]) => {
    try {
      const out = await updateDeliveriesBatch(opts.fork(), channel, items, new Date());
      return out.map((r) => (r.kind === 'applied' ? { result: r.result, events: r.events } : null));
    } catch (err) {
      opts.logger.info(
        { err: (err as Error).message, channel, batch: items.length },
        'a batch of status callbacks failed together; each is applied alone',
      );
      return items.map(() => null);
    }
  };

  return (channel, status) => {
    let commit = byChannel.get(channel);
    if (!commit) {
      commit = createGroupCommit({
        write: writeBatch(channel),
        maxBatch: opts.maxBatch,
        maxInFlight: opts.maxInFlight ?? 2,
        onBatch: (size) => opts.onBatch?.(channel, size),
      });
      byChannel.set(channel, commit);
    }
    return commit.submit(status);
  };
}
