import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger.ts';

/**
 * Group commit: callers hand in one item each and get their own answer; items that arrive while
 * earlier batches are being written go together in the next one. There is no timer: when fewer
 * than `maxInFlight` batches are running, an item is written at once, alone (an idle server adds
 * no latency); under load the waiting line grows while a write runs, and the next batch takes it
 * all (up to `maxBatch`), so the batch size follows the load.
 */
export interface GroupCommitOptions<I, O> {
  /** Writes one batch; answers one result per item, in order. A throw fails every item of the batch. */
  write: (items: I[]) => Promise<O[]>;
  maxBatch: number;
  maxInFlight: number;
  /** Told each batch's size as it starts (metrics). */
  onBatch?: (size: number) => void;
}

export interface GroupCommit<I, O> {
  submit(item: I): Promise<O>;
  /** Items waiting and batches running (for tests and shutdown). */
  readonly pending: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (err: unknown) => void;
}

export function createGroupCommit<I, O>(opts: GroupCommitOptions<I, O>): GroupCommit<I, O> {
  const line: Waiting<I, O>[] = [];
  let inFlight = 0;

  const pump = () => {
    while (inFlight < opts.maxInFlight && line.length > 0) {
      const batch = line.splice(0, opts.maxBatch);
      inFlight += 1;
      opts.onBatch?.(batch.length);
      run(batch).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  };

  const run = async (batch: Waiting<I, O>[]) => {
    try {
      const results = await opts.write(batch.map((w) => w.item));
      if (results.length !== batch.length)
        throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
      for (const [i, w] of batch.entries()) w.resolve(results[i]!);
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  };

  return {
    submit: (item) =>
      new Promise<O>((resolve, reject) => {
        line.push({ item, resolve, reject });
        pump();
      }),
    get pending() {
      return line.length + inFlight;
    },
  };
}

/** What a webhook group commit (messages, status callbacks) is built from. */
export interface ChannelGroupCommitOptions {
  /** A fresh EntityManager per batch. */
  fork: () => EntityManager;
  logger: Logger;
  /** Most items in one batch (WEBHOOK_BATCH_MAX). */
  maxBatch: number;
  /** Batches written at once per channel: each holds one pool connection. */
  maxInFlight?: number;
  onBatch?: (channel: string, size: number) => void;
}

/**
 * One group commit per channel (a batch never mixes channels), each writing with `write(channel)`.
 * A batch that throws is logged once and its items are written again one by one, in arrival
 * order (two messages of one conversation keep their order); an item that fails alone too gets
 * `alone` (its request then takes the full use-case, which answers its own error).
 */
export function perChannelGroupCommit<I, O>(
  opts: ChannelGroupCommitOptions,
  what: string,
  write: (channel: string, items: I[]) => Promise<O[]>,
  alone: O,
): (channel: string, item: I) => Promise<O> {
  const byChannel = new Map<string, GroupCommit<I, O>>();
  const writeOrAlone = (channel: string) => async (items: I[]) => {
    try {
      return await write(channel, items);
    } catch (err) {
      if (items.length === 1) return [alone];
      opts.logger.info(
        { err: (err as Error).message, channel, batch: items.length },
        `a batch of ${what} failed together; each is written alone`,
      );
      const out: O[] = [];
      for (const item of items)
        out.push(
          await write(channel, [item]).then(
            (r) => r[0]!,
            () => alone,
          ),
        );
      return out;
    }
  };
  return (channel, item) => {
    let commit = byChannel.get(channel);
    if (!commit) {
      commit = createGroupCommit({
        write: writeOrAlone(channel),
        maxBatch: opts.maxBatch,
        maxInFlight: opts.maxInFlight ?? 2,
        onBatch: (size) => opts.onBatch?.(channel, size),
      });
      byChannel.set(channel, commit);
    }
    return commit.submit(item);
  };
}
