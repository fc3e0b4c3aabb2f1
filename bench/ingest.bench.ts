import { type ChildProcess, spawn } from 'node:child_process';
import type { BenchContext } from './bench-context.ts';
import { type LoadResult, openLoop, sustainedRate } from './load.ts';
import { flushRedisPrefix, rssMiB, startParley, startRole, whatsappText } from './parley-processes.ts';

/** Offered rates tried in turn (messages per second), 5 s each, until one is not kept up with. */
const RATES = [50, 100, 200, 300, 400, 500, 600, 700, 800, 1000, 1200, 1600, 2000, 2500, 3000];
const CUSTOMERS = 1000;
const STEP_MS = 5_000;

interface ParleyIngest {
  sustained: number;
  steps: LoadResult[];
  ratio: number;
  at80: LoadResult;
}

export interface IngestResult {
  /**
   * `at80`: the bare endpoint at 80 % of its own sustained rate, the same measure as Parley's ack
   * target: how long the tail is on these two cores when the machine is that busy, whoever serves.
   */
  ceiling: { sustained: number; steps: LoadResult[]; at80: LoadResult };
  /** `parley web` alone (the worker stopped, as the ceiling has no consumer): like for like. */
  webAlone: ParleyIngest;
  /** `parley web` while `parley worker` mirrors every message into Slack on the same two cores. */
  withWorker: ParleyIngest;
  rssMiB: { web: number; worker: number };
}

async function startCeiling(ctx: BenchContext, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['bench/ceiling-server.ts', String(port), ctx.databaseUrl, `${ctx.prefix}-ceiling`],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  for (let i = 0; ; i++) {
    if (
      await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
    if (i > 100) throw new Error('ceiling server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** 10 s at 80 % of a sustained rate: issue 14's ack target for Parley, and the same for the ceiling. */
async function at80Of(
  sustained: number,
  post: (i: number) => Promise<Response>,
  ctx: BenchContext,
): Promise<LoadResult> {
  const rate80 = Math.max(1, Math.round(sustained * 0.8));
  ctx.log(`  at 80 % of sustained (${rate80}/s) for 10 s`);
  const at80 = await openLoop(rate80, 10_000, post);
  ctx.log(
    `  → ack p50 ${at80.latency.p50} ms, p99 ${at80.latency.p99} ms (the generator's own loop late by up to ${at80.generatorDelayMs.max} ms, p99 ${at80.generatorDelayMs.p99})`,
  );
  return at80;
}

/** Issue 5, target 1: signed WhatsApp text webhooks at increasing rates, against the bare ceiling. */
export async function benchIngest(ctx: BenchContext): Promise<IngestResult> {
  const groups = ctx.groups;
  const webhook = (i: number) => {
    const g = groups[i % groups.length]!;
    // 1,000 customers, each writing to one number.
    return whatsappText(g.phoneNumberId, `1555${String(i % CUSTOMERS).padStart(7, '0')}`, `ingest ${i}`);
  };

  ctx.log('ingest ceiling: bare Hono endpoint, one INSERT + one BullMQ add');
  const ceilingProc = await startCeiling(ctx, ctx.port + 1);
  const ceilingPost = (i: number) =>
    fetch(`http://127.0.0.1:${ctx.port + 1}/ingest`, { method: 'POST', ...webhook(i) });
  const found = await sustainedRate(RATES, STEP_MS, ceilingPost, ctx.log);
  const ceilingAt80 = await at80Of(found.sustained, ceilingPost, ctx);
  const ceiling = { ...found, at80: ceilingAt80 };
  ceilingProc.kill('SIGTERM');
  await flushRedisPrefix(`${ctx.prefix}-ceiling`);

  const parley = await startParley({ ...ctx.parleyOptions(), env: {} });
  const webhookUrl = `${parley.url}/webhooks/whatsapp`;
  // Warm-up: every customer's conversation is open and in Slack, so the measured messages join
  // open conversations, as most messages do in real traffic.
  ctx.log(`ingest warm-up: ${CUSTOMERS} conversations opened and mirrored`);
  await openLoop(100, (CUSTOMERS / 100) * 1000, (i) => fetch(webhookUrl, { method: 'POST', ...webhook(i) }));
  await new Promise((r) => setTimeout(r, 20_000));

  let offset = CUSTOMERS;
  const measure = async (label: string): Promise<ParleyIngest> => {
    ctx.log(`ingest: ${label}`);
    const post = (i: number) => fetch(webhookUrl, { method: 'POST', ...webhook(offset + i) });
    const found = await sustainedRate(RATES, STEP_MS, post, ctx.log);
    offset += 1_000_000;
    const at80 = await at80Of(found.sustained, post, ctx);
    offset += 1_000_000;
    const ratio = ceiling.sustained ? Math.round((found.sustained / ceiling.sustained) * 100) / 100 : 0;
    return { ...found, ratio, at80 };
  };

  // The worker stops (gracefully: its running jobs finish) and starts again afterwards.
  const stopped = new Promise((r) => parley.worker.once('exit', r));
  parley.worker.kill('SIGTERM');
  await stopped;
  const webAlone = await measure('parley web alone (worker stopped; its queue waits)');
  parley.worker = startRole('worker', parley.env);
  ctx.log('  worker started again: draining');
  await new Promise((r) => setTimeout(r, 60_000));
  const withWorker = await measure('parley web with parley worker mirroring every message');
  const rss = { web: await rssMiB(parley.web.pid!), worker: await rssMiB(parley.worker.pid!) };
  await parley.stop();
  await flushRedisPrefix(ctx.prefix);
  return { ceiling, webAlone, withWorker, rssMiB: rss };
}
