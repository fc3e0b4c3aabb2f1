import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { EntityManager } from '@mikro-orm/postgresql';
import { migrateDatabase } from '../src/cli/migrations.ts';
import { createOrm } from '../src/db/orm.ts';
import { BENCH_CASES, loadContext } from './dashboards-cases.ts';
import { recreateDatabase, type SeedReport, seedDashboardData } from './dashboards-seed.ts';
import { type LatencyStats, latencyStats, prng, ratio, shuffle, textTable } from './dashboards-stats.ts';

/**
 * Issue 5, item 4 "Dashboards at scale": seeds 1,000,000 messages in 100,000 conversations (20
 * groups, 200 users), then times the tiles, Team inbox pages and text searches for random viewers,
 * beside two ceilings measured in the same rounds (a bare `select 1` and a primary-key lookup
 * through the same ORM and pool). Cases run interleaved, one iteration of each per round in
 * shuffled order, so a noisy minute hits every case alike and the ratios stay comparable.
 *
 *   npx node bench/dashboards.ts [--scale 0.01] [--iterations 500] [--reuse] [--database-url URL]
 */

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/parley_bench_dash';
const RESULTS_FILE = new URL('./results/dashboards.json', import.meta.url);

export interface DashboardBenchOptions {
  /** The benchmark's own database (dropped and recreated; its name must contain "bench"). */
  databaseUrl: string;
  /** Multiplies contacts, conversations and messages (groups and users stay 20 and 200). */
  scale?: number;
  /** Measured iterations per case (default 500), after `warmup` unmeasured rounds (default 50). */
  iterations?: number;
  warmup?: number;
  /** Keep an already seeded database (migrations still applied): for before/after comparisons. */
  reuse?: boolean;
  /** Shown in the results, e.g. the command line that ran the benchmark. */
  command?: string;
}

export interface CaseResult extends LatencyStats {
  name: string;
  ceiling: boolean;
  targetP99: number | null;
  met: boolean | null;
  /** The case's p50 and p99 as multiples of the same percentiles of each ceiling. */
  vsSelect1: { p50: number; p99: number };
  vsPkLookup: { p50: number; p99: number };
}

export interface DashboardBenchResult {
  benchmark: 'dashboards';
  startedAt: string;
  command: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; postgres: string };
  postgresSettings: Record<string, string>;
  scale: number;
  iterations: number;
  warmup: number;
  seed: SeedReport | null;
  cases: CaseResult[];
  targetsMet: boolean;
}

export async function benchDashboards(opts: DashboardBenchOptions): Promise<DashboardBenchResult> {
  const scale = opts.scale ?? 1;
  const iterations = opts.iterations ?? 500;
  const warmup = opts.warmup ?? 50;
  const startedAt = new Date().toISOString();
  let seed: SeedReport | null = null;
  if (opts.reuse) {
    await migrateDatabase(opts.databaseUrl);
  } else {
    await recreateDatabase(opts.databaseUrl);
    seed = await seedDashboardData(opts.databaseUrl, scale);
  }
  const orm = await createOrm({ databaseUrl: opts.databaseUrl, poolMax: 10 });
  try {
    const fork = () => orm.em.fork() as EntityManager;
    if (opts.reuse) await fork().execute('analyze');
    const random = prng(20261124);
    const ctx = await loadContext(fork, random);
    const samples = new Map<string, number[]>(BENCH_CASES.map((c) => [c.name, []]));
    for (let round = 0; round < warmup + iterations; round++) {
      for (const c of shuffle(BENCH_CASES, random)) {
        const em = fork();
        const t = performance.now();
        await c.run(em, ctx);
        const ms = performance.now() - t;
        if (round >= warmup) samples.get(c.name)!.push(ms);
      }
    }
    const stats = new Map([...samples].map(([name, s]) => [name, latencyStats(s)]));
    const select1 = stats.get('ceiling: select 1')!;
    const pk = stats.get('ceiling: conversation by primary key')!;
    const cases: CaseResult[] = BENCH_CASES.map((c) => {
      const s = stats.get(c.name)!;
      return {
        name: c.name,
        ...s,
        ceiling: c.ceiling === true,
        targetP99: c.targetP99 ?? null,
        met: c.targetP99 === undefined ? null : s.p99 <= c.targetP99,
        vsSelect1: { p50: ratio(s.p50, select1.p50), p99: ratio(s.p99, select1.p99) },
        vsPkLookup: { p50: ratio(s.p50, pk.p50), p99: ratio(s.p99, pk.p99) },
      };
    });
    return {
      benchmark: 'dashboards',
      startedAt,
      command: opts.command ?? 'benchDashboards()',
      machine: await machine(fork()),
      postgresSettings: await postgresSettings(fork()),
      scale,
      iterations,
      warmup,
      seed,
      cases,
      targetsMet: cases.every((c) => c.met !== false),
    };
  } finally {
    await orm.close(true);
  }
}

async function machine(em: EntityManager): Promise<DashboardBenchResult['machine']> {
  const [row] = await em.execute<{ v: string }[]>(`select version() as v`);
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: row?.v ?? 'unknown',
  };
}

async function postgresSettings(em: EntityManager): Promise<Record<string, string>> {
  const names = [
    'shared_buffers',
    'work_mem',
    'effective_cache_size',
    'random_page_cost',
    'jit',
    'max_parallel_workers_per_gather',
  ];
  const rows = await em.execute<{ name: string; setting: string }[]>(
    `select name, current_setting(name) as setting from pg_settings where name in (?)`,
    [names],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
}

/** The results as the table the benchmark prints (and bench/dashboards.md quotes). */
export function formatDashboardTable(result: DashboardBenchResult): string {
  const ms = (n: number) => n.toFixed(2);
  const x = (n: number) => `${n}×`;
  const rows = result.cases.map((c) => [
    c.name,
    ms(c.p50),
    ms(c.p95),
    ms(c.p99),
    ms(c.max),
    x(c.vsSelect1.p50),
    x(c.vsSelect1.p99),
    x(c.vsPkLookup.p50),
    x(c.vsPkLookup.p99),
    c.targetP99 === null ? '' : `≤ ${c.targetP99}`,
    c.met === null ? '' : c.met ? 'yes' : 'NO',
  ]);
  return textTable(
    [
      `case (ms, ${result.iterations} iterations)`,
      'p50',
      'p95',
      'p99',
      'max',
      'p50/sel1',
      'p99/sel1',
      'p50/pk',
      'p99/pk',
      'target p99',
      'met',
    ],
    rows,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'database-url': { type: 'string', default: DEFAULT_DATABASE_URL },
      scale: { type: 'string', default: '1' },
      iterations: { type: 'string', default: '500' },
      warmup: { type: 'string', default: '50' },
      reuse: { type: 'boolean', default: false },
    },
  });
  const result = await benchDashboards({
    databaseUrl: values['database-url'],
    scale: Number(values.scale),
    iterations: Number(values.iterations),
    warmup: Number(values.warmup),
    reuse: values.reuse,
    command: ['npx node bench/dashboards.ts', ...process.argv.slice(2)].join(' '),
  });
  const m = result.machine;
  console.log(`${m.cpus} CPUs (${m.cpuModel}), ${m.memoryGb} GB RAM, node ${m.node}\n${m.postgres}`);
  if (result.seed) {
    const c = result.seed.counts;
    console.log(
      `seeded ${c.message} messages, ${c.conversation} conversations, ${c.groups} groups, ${c.users} users ` +
        `in ${(result.seed.ms / 1000).toFixed(1)} s`,
    );
  }
  console.log(`\n${formatDashboardTable(result)}\n`);
  await mkdir(new URL('.', RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`written ${RESULTS_FILE.pathname}`);
}

if (import.meta.main) await main();
