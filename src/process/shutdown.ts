import { constants } from 'node:os';
import type { Logger } from '../logger.ts';

/**
 * Stops one running part of the process (web server, workers): it takes no new work and lets
 * running work finish; once `deadline` aborts it hands the rest back at once (connections are
 * closed; running jobs are left to stall and another worker retries them).
 */
export type Stop = (deadline?: AbortSignal) => Promise<void>;

/** Calls `fn` when `signal` aborts (at once when it already has); never without a signal. */
export function onAbort(signal: AbortSignal | undefined, fn: () => void): void {
  if (!signal) return;
  if (signal.aborted) fn();
  else signal.addEventListener('abort', fn, { once: true });
}

/** Resolves when `signal` aborts; never without one (for `Promise.race`). */
export const aborted = (signal: AbortSignal | undefined) =>
  new Promise<void>((resolve) => onAbort(signal, resolve));

/** How often a process npm started checks that npm is still its parent. */
const PARENT_CHECK_MS = 500;
/**
 * Ctrl-C on `npm start` reaches Parley twice: from the terminal (the whole process group) and
 * forwarded by npm. The same signal again this soon is that echo, not a second request.
 */
const ECHO_MS = 1_000;
/** After the deadline, forced closing gets this long before the process exits regardless (exit 1). */
const FORCE_GRACE_MS = 2_000;

export interface GracefulStop {
  logger: Logger;
  /** SHUTDOWN_TIMEOUT_MS: how long running work may take before it is handed back. */
  timeoutMs: number;
  /** The running parts; they stop together, sharing the deadline. */
  stops: Stop[];
  /** Closes what they shared (pools, connections) once they have stopped. */
  close: () => Promise<void>;
  env?: NodeJS.ProcessEnv;
  exit?: (code: number) => void;
}

/** npm sets these in every script it runs, `npm start` and `npx parley …` alike. */
export const startedByNpm = (env: NodeJS.ProcessEnv) =>
  env.npm_lifecycle_event !== undefined || env.npm_command !== undefined;

/**
 * Stops the process cleanly on SIGTERM or SIGINT, and when npm started it and is gone.
 *
 * Why the second trigger: npm forwards a signal to the `sh -c` running a script, and dash dies
 * without passing it on (it does not exec the last command). `exec` in package.json's scripts
 * fixes `npm start`, but `npx parley` always runs its bin through `sh`: without this watch the
 * server kept serving with no parent. A second signal while stopping exits at once (128 + its
 * number), as a process manager's user expects.
 */
export function stopGracefully(plan: GracefulStop): void {
  const exit = plan.exit ?? ((code: number) => process.exit(code));
  const { logger, timeoutMs } = plan;
  let stopping = false;
  let first: { signal: string; at: number } | undefined;

  const stop = async (cause: { signal: string } | { reason: string }) => {
    stopping = true;
    const why = 'signal' in cause ? cause.signal : cause.reason;
    logger.info(
      { ...cause, timeoutMs },
      `shutting down (${why}): no new requests or jobs; running ones get ${timeoutMs} ms to finish`,
    );
    const deadline = AbortSignal.timeout(timeoutMs);
    onAbort(deadline, () =>
      logger.warn(
        { timeoutMs },
        `still busy after ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS): closing open connections and handing running jobs back (another worker retries them)`,
      ),
    );
    setTimeout(() => {
      logger.error({ timeoutMs }, 'did not stop in time; exiting anyway');
      exit(1);
    }, timeoutMs + FORCE_GRACE_MS).unref();
    try {
      await Promise.all(plan.stops.map((s) => s(deadline)));
      await plan.close();
    } catch (err) {
      logger.error({ err }, 'stopping failed; exiting anyway');
      exit(1);
      return;
    }
    logger.info(cause, `stopped (${why})`);
    exit(0);
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (!stopping) {
      first = { signal, at: Date.now() };
      return void stop({ signal });
    }
    if (first?.signal === signal && Date.now() - first.at < ECHO_MS) return;
    logger.warn({ signal }, `${signal} while shutting down: exiting now without waiting`);
    exit(128 + (constants.signals[signal] ?? 0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  if (startedByNpm(plan.env ?? process.env)) {
    const parent = process.ppid;
    const watch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(watch);
      if (!stopping) void stop({ reason: 'npm exited' });
    }, PARENT_CHECK_MS);
    watch.unref();
  }
}
