import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * Loaded into `parley web` / `parley worker` to see what they allocate, not only what they keep
 * (bench/README.md, "Garbage collection"): `BENCH_ALLOC_PROBE=<dir>
 * BENCH_WORKER_NODE_OPTIONS="--import ./bench/allocation-probe.ts" npm run bench -- e2e`.
 * V8's sampling heap profiler, told to keep the objects that young- and old-generation collections
 * freed, from BENCH_ALLOC_START_MS (8,000) for BENCH_ALLOC_MS (30,000); the profile is written to
 * <dir>/<role>.heapprofile (Chrome DevTools opens it; `node bench/allocation-report.ts` sums it).
 */
const dir = process.env.BENCH_ALLOC_PROBE;
const role = process.argv[2] ?? 'node';

if (dir) {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  setTimeout(
    async () => {
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: 16_384,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      setTimeout(
        async () => {
          const { profile } = await session.post('HeapProfiler.stopSampling');
          writeFileSync(`${dir}/${role}.heapprofile`, JSON.stringify(profile));
        },
        Number(process.env.BENCH_ALLOC_MS ?? 30_000),
      ).unref();
    },
    Number(process.env.BENCH_ALLOC_START_MS ?? 8_000),
  ).unref();
}
