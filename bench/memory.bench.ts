import pg from 'pg';
import type { BenchContext } from './bench-context.ts';
import { openLoop } from './load.ts';
import { rssMiB, startParley, whatsappText } from './parley-processes.ts';

/** Messages ingested (BENCH_MEMORY_MESSAGES; the issue asks for 1,000,000, which takes a long while here). */
const TOTAL = Number(process.env.BENCH_MEMORY_MESSAGES ?? 100_000);
const RATE = Number(process.env.BENCH_MEMORY_RATE ?? 400);
const CHUNK = 10_000;

export interface MemoryResult {
  messages: number;
  ratePerSecond: number;
  samples: { ingested: number; webMiB: number; workerMiB: number }[];
  growthSecondHalf: { web: number; worker: number };
  /** Messages not yet in Slack when the last one was ingested (the worker's backlog, kept in Redis and PostgreSQL). */
  notYetMirroredAtEnd: number;
  wallSeconds: number;
}

/** Issue 5, target 5: RSS of `parley web` and `parley worker` while messages pour in. */
export async function benchMemory(ctx: BenchContext): Promise<MemoryResult> {
  const parley = await startParley(ctx.parleyOptions());
  const samples: MemoryResult['samples'] = [];
  const groups = ctx.groups;
  const started = Date.now();
  for (let done = 0; done < TOTAL; done += CHUNK) {
    await openLoop(RATE, (CHUNK / RATE) * 1000, (i) => {
      const n = done + i;
      const g = groups[n % groups.length]!;
      return fetch(`${parley.url}/webhooks/whatsapp`, {
        method: 'POST',
        ...whatsappText(g.phoneNumberId, `1888${String(n % 5000).padStart(7, '0')}`, `mem ${n}`),
      });
    });
    samples.push({
      ingested: done + CHUNK,
      webMiB: await rssMiB(parley.web.pid!),
      workerMiB: await rssMiB(parley.worker.pid!),
    });
    ctx.log(
      `  ${done + CHUNK} ingested: web ${samples.at(-1)!.webMiB} MiB, worker ${samples.at(-1)!.workerMiB} MiB`,
    );
  }
  const wallSeconds = Math.round((Date.now() - started) / 1000);
  const db = new pg.Client({ connectionString: ctx.databaseUrl });
  await db.connect();
  const backlog = await db.query<{ n: string }>(
    `select count(*) as n from message m where not exists (select 1 from surface_post p where p.message_id = m.id)`,
  );
  await db.end();
  await parley.stop();
  const mid = samples[Math.floor((samples.length - 1) / 2)]!;
  const last = samples.at(-1)!;
  const pct = (a: number, b: number) => Math.round(((b - a) / a) * 1000) / 10;
  return {
    messages: TOTAL,
    ratePerSecond: RATE,
    samples,
    growthSecondHalf: { web: pct(mid.webMiB, last.webMiB), worker: pct(mid.workerMiB, last.workerMiB) },
    notYetMirroredAtEnd: Number(backlog.rows[0]?.n ?? 0),
    wallSeconds,
  };
}
