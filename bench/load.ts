import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * An open-loop load generator: requests start on schedule whatever the answers do (so a slow
 * server shows up as latency, not as a politely lower rate), and percentile helpers.
 */

export interface LoadResult {
  offeredPerSecond: number;
  durationMs: number;
  sent: number;
  ok: number;
  failed: number;
  /** Answers per second over the run (completed 2xx / wall time until the last answer). */
  achievedPerSecond: number;
  latency: Percentiles;
  /**
   * How late this process's own event loop ran while it sent and timed (its p99 and max, ms): the
   * generator shares the cores too, and an answer read late is timed late.
   */
  generatorDelayMs: { p99: number; max: number };
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  const r = (n: number) => Math.round(n * 10) / 10;
  return { p50: r(at(0.5)), p95: r(at(0.95)), p99: r(at(0.99)), max: r(s[s.length - 1]!) };
}

export async function openLoop(
  ratePerSecond: number,
  durationMs: number,
  request: (i: number) => Promise<Response>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let ok = 0;
  let failed = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const total = Math.round((ratePerSecond * durationMs) / 1000);
  let lastAnswer = start;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    pending.push(
      request(i)
        .then(async (res) => {
          await res.arrayBuffer();
          const t1 = performance.now();
          lastAnswer = Math.max(lastAnswer, t1);
          if (res.ok) {
            ok++;
            latencies.push(t1 - t0);
          } else failed++;
        })
        .catch(() => {
          failed++;
        }),
    );
  }
  await Promise.all(pending);
  delay.disable();
  const wall = Math.max(lastAnswer - start, durationMs);
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  return {
    offeredPerSecond: ratePerSecond,
    durationMs,
    sent: total,
    ok,
    failed,
    achievedPerSecond: Math.round((ok / wall) * 1000 * 10) / 10,
    latency: percentiles(latencies),
    generatorDelayMs: { p99: ms(delay.percentile(99)), max: ms(delay.max) },
  };
}

/**
 * Finds the highest offered rate the server keeps up with: no failures, ≥ 95 % of the rate
 * answered, and answers not queueing (ack p50 at most 50 ms, the whole p99 budget).
 */
export async function sustainedRate(
  rates: number[],
  durationMs: number,
  request: (i: number) => Promise<Response>,
  log: (line: string) => void,
): Promise<{ sustained: number; steps: LoadResult[] }> {
  const steps: LoadResult[] = [];
  let sustained = 0;
  for (const rate of rates) {
    const r = await openLoop(rate, durationMs, request);
    steps.push(r);
    log(
      `  ${rate}/s offered → ${r.achievedPerSecond}/s answered, ${r.failed} failed, ack p50 ${r.latency.p50} ms p99 ${r.latency.p99} ms (generator late ≤ ${r.generatorDelayMs.max} ms)`,
    );
    const keptUp = r.failed === 0 && r.achievedPerSecond >= rate * 0.95 && r.latency.p50 <= 50;
    if (!keptUp) break;
    sustained = rate;
  }
  return { sustained, steps };
}
