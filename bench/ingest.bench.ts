import { type ChildProcess, spawn } from 'node:child_process';
import { type LoadResult, openLoop, sustainedRate } from './load.ts';
import { flushRedisPrefix, rssMiB, startParley, whatsappText } from './parley-processes.ts';
import type { BenchContext } from './run.ts';

/** Offered rates tried in turn (messages per second), 5 s each, until one is not kept up with. */
const RATES = [50, 100, 200, 300, 400, 600, 800, 1000, 1200, 1600, 2000];
const STEP_MS = 5_000;

export interface IngestResult {
  ceiling: { sustained: number; steps: LoadResult[] };
  parley: { sustained: number; steps: LoadResult[] };
  ratio: number;
  at80: LoadResult;
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

/** Issue 5, target 1: signed WhatsApp text webhooks at increasing rates, against the bare ceiling. */
export async function benchIngest(ctx: BenchContext): Promise<IngestResult> {
  const groups = ctx.groups;
  const webhook = (i: number) => {
    const g = groups[i % groups.length]!;
    // 1,000 customers per number: most messages join an open conversation, as in real traffic.
    return whatsappText(g.phoneNumberId, `1555${String(i % 1000).padStart(7, '0')}`, `ingest ${i}`);
  };

  ctx.log('ingest ceiling: bare Hono endpoint, one INSERT + one BullMQ add');
  const ceilingProc = await startCeiling(ctx, ctx.port + 1);
  const ceiling = await sustainedRate(
    RATES,
    STEP_MS,
    (i) => fetch(`http://127.0.0.1:${ctx.port + 1}/ingest`, { method: 'POST', ...webhook(i) }),
    ctx.log,
  );
  ceilingProc.kill('SIGTERM');
  await flushRedisPrefix(`${ctx.prefix}-ceiling`);

  ctx.log('ingest: parley web + parley worker');
  const parley = await startParley({ ...ctx.parleyOptions(), env: {} });
  const webhookUrl = `${parley.url}/webhooks/whatsapp`;
  let offset = 0;
  const post = (i: number) => fetch(webhookUrl, { method: 'POST', ...webhook(offset + i) });
  const found = await sustainedRate(RATES, STEP_MS, (i) => post(i), ctx.log);
  offset = 1_000_000;
  const rate80 = Math.max(1, Math.round(found.sustained * 0.8));
  ctx.log(`ingest at 80 % of sustained (${rate80}/s) for 10 s`);
  const at80 = await openLoop(rate80, 10_000, (i) => post(i));
  const rss = { web: await rssMiB(parley.web.pid!), worker: await rssMiB(parley.worker.pid!) };
  await parley.stop();
  await flushRedisPrefix(ctx.prefix);
  return {
    ceiling,
    parley: found,
    ratio: ceiling.sustained ? Math.round((found.sustained / ceiling.sustained) * 100) / 100 : 0,
    at80,
    rssMiB: rss,
  };
}
