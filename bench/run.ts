import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { benchAi } from './ai.bench.ts';
import type { BenchContext } from './bench-context.ts';
import { benchBroadcast } from './broadcast.bench.ts';
import { benchE2e } from './e2e.bench.ts';
import { startFakeGraph, startFakeSlack } from './fake-servers.ts';
import { benchHotChannel } from './hot-channel.bench.ts';
import { benchIngest } from './ingest.bench.ts';
import { benchMemory } from './memory.bench.ts';
import { flushRedisPrefix, freshDatabase, seedGroups } from './parley-processes.ts';
import { benchTeams } from './teams.bench.ts';

/**
 * `npm run bench [-- ingest e2e hot memory dashboards teams ai broadcast]`: Parley's benchmarks (issue 5), each
 * figure beside a ceiling measured in the same run. Results go to bench/results/<name>.json;
 * bench/README.md explains them.
 */

const all = ['ingest', 'e2e', 'hot', 'memory', 'dashboards', 'teams', 'ai', 'broadcast'] as const;
const asked = process.argv.slice(2).filter((a) => (all as readonly string[]).includes(a));
const which = asked.length ? asked : [...all];
const log = (line: string) => process.stdout.write(`${line}\n`);

async function context(slackPace?: { postsPerSecond: number; burst: number }): Promise<BenchContext> {
  const databaseUrl = await freshDatabase('parley_bench');
  const groups = await seedGroups(databaseUrl, 50);
  const slack = await startFakeSlack(slackPace);
  const graph = await startFakeGraph();
  const prefix = `parley-bench-${process.pid}`;
  await flushRedisPrefix(prefix);
  const port = 3900;
  return {
    databaseUrl,
    prefix,
    port,
    groups,
    log,
    slack,
    graph,
    parleyOptions: () => ({
      databaseUrl,
      prefix,
      port,
      slackApiUrl: slack.apiUrl,
      graphApiUrl: graph.apiUrl,
    }),
  };
}

async function save(name: string, result: unknown) {
  await mkdir('bench/results', { recursive: true });
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  await writeFile(
    `bench/results/${name}.json`,
    `${JSON.stringify({ at: new Date().toISOString(), machine, result }, null, 2)}\n`,
  );
}

for (const name of which) {
  log(`\n== ${name} ==`);
  if (name === 'dashboards') {
    const { benchDashboards, formatDashboardTable, DEFAULT_DATABASE_URL } = await import('./dashboards.ts');
    const result = await benchDashboards({ databaseUrl: DEFAULT_DATABASE_URL });
    log(formatDashboardTable(result));
    await save(name, result);
    continue;
  }
  const ctx = await context(name === 'hot' ? { postsPerSecond: 1, burst: 3 } : undefined);
  try {
    const result =
      name === 'ingest'
        ? await benchIngest(ctx)
        : name === 'e2e'
          ? await benchE2e(ctx)
          : name === 'hot'
            ? await benchHotChannel(ctx)
            : name === 'teams'
              ? await benchTeams(ctx)
              : name === 'ai'
                ? await benchAi(ctx)
                : name === 'broadcast'
                  ? await benchBroadcast(ctx)
                  : await benchMemory(ctx);
    log(JSON.stringify(result, null, 2));
    await save(name, result);
  } finally {
    await ctx.slack.close();
    await ctx.graph.close();
    await flushRedisPrefix(ctx.prefix);
  }
}
process.exit(0);
