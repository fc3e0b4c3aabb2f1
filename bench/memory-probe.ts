import { appendFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

/**
 * Loaded into `parley web` / `parley worker` by the memory benchmark when it is asked to look
 * inside (BENCH_MEMORY_PROBE=<dir>: `--import ./bench/memory-probe.ts` through
 * BENCH_WEB_NODE_OPTIONS / BENCH_WORKER_NODE_OPTIONS). Every 5 s it appends one JSON line to
 * <dir>/<role>.jsonl: RSS beside what V8 holds (live heap, heap reserved, each space) and what
 * lives outside it (Buffers, ArrayBuffers), so RSS can be told apart into live data, garbage
 * not yet collected and native memory.
 */
const dir = process.env.BENCH_MEMORY_PROBE;
const role = process.argv[2] ?? 'node';
const MiB = (n: number) => Math.round((n / 2 ** 20) * 10) / 10;

if (dir) {
  const file = `${dir}/${role}.jsonl`;
  const started = Date.now();
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    const spaces = Object.fromEntries(
      getHeapSpaceStatistics().map((s) => [
        s.space_name,
        { size: MiB(s.space_size), used: MiB(s.space_used_size) },
      ]),
    );
    const line = {
      s: Math.round((Date.now() - started) / 1000),
      rss: MiB(m.rss),
      heapTotal: MiB(m.heapTotal),
      heapUsed: MiB(m.heapUsed),
      external: MiB(m.external),
      arrayBuffers: MiB(m.arrayBuffers),
      spaces,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, 5_000);
  timer.unref();
}
