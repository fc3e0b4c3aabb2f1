import { type StatusShortcut, updateDeliveriesBatch } from '../../use-cases/update-deliveries-batch.ts';
import { type ChannelGroupCommitOptions, perChannelGroupCommit } from './group-commit.ts';

/**
 * Status callbacks arriving together (a broadcast's receipts come in bursts) are applied by one
 * transaction (update-deliveries-batch.ts). When it fails as a whole (a deadlock with another
 * process, a lost connection), each callback is applied alone by the full use-case.
 */
export function createStatusGroupCommit(opts: ChannelGroupCommitOptions): StatusShortcut {
  return perChannelGroupCommit(
    opts,
    'status callbacks',
    (channel, items: Parameters<StatusShortcut>[1][]) =>
      updateDeliveriesBatch(opts.fork(), channel, items, new Date()),
    null,
  );
}
