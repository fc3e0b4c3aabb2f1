import { mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';
import pg from 'pg';
import { Account, ChannelEndpoint, Group, User } from '../src/db/entities/index.ts';
import { createOrm } from '../src/db/orm.ts';
import type { BenchContext } from './bench-context.ts';
import { startFakeOpenAi } from './fake-openai-server.ts';
import { openLoop, type Percentiles, percentiles } from './load.ts';
import { type RunningParley, startParley, whatsappText } from './parley-processes.ts';

/**
 * Issue 11: Parley's own overhead around the AI agent's model, beside the fake model's round trip
 * in the same run, at 50 conversations a second: webhook sent → model request arrived at the fake
 * OpenAI (bench/fake-openai-server.ts), and model answer written by the fake → provider send call
 * arrived at the fake Graph API. `parley web` and `parley worker` run as separate processes; the
 * context's 50 groups (a Slack channel, a WhatsApp number and an agent each; `BENCH_AI_GROUPS` for
 * more) get `aiAgent: { enabled: true, name: 'Ava' }`. AI_BURST_WINDOW_MS=0: the burst window is a
 * deliberate wait for the customer's next line, not overhead.
 *
 * Phases, one after the other on the same processes (each after the backlog of the one before has
 * settled): `new` at 20/s, every message from a new customer, so a new conversation; `new` at
 * 50/s (the figure); `returning` at 50/s, that phase's customers writing once more into
 * their open conversations. `BENCH_AI_PHASES=new:20,new:50,returning:50` sets them,
 * `BENCH_AI_SECONDS` (20) their length, `BENCH_AI_THINK_MS` (50) the fake model's think time.
 *
 * Where the time goes: each process gets a small module (`--import`, a data: URL, nothing written
 * in Parley) that times every BullMQ job (queue wait from when it was due, run time, what it
 * returned) and every wait for a database pool connection, and the event loop's delay;
 * `BENCH_AI_TRACE=0` leaves it out. `BENCH_AI_NODE_OPTIONS` (e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof`) is added to both processes, `BENCH_AI_LOG_STATEMENTS=1` logs every
 * statement of the run's database (PostgreSQL's log), `BENCH_AI_SLACK=0` runs without Slack (no
 * chat surface: no mirror or dashboard work), and `BENCH_AI_PARLEY_ENV="WORKER_CONCURRENCY=24"`
 * sets more of Parley's environment (`BENCH_AI_WORKER_ENV`, `BENCH_AI_WEB_ENV`: of one process),
 * for trying a setting without changing code.
 */
const PHASES = (process.env.BENCH_AI_PHASES ?? 'new:20,new:50,returning:50').split(',').map((p) => {
  const [customers, rate] = p.split(':');
  if (customers !== 'new' && customers !== 'returning') throw new Error(`BENCH_AI_PHASES: ${p}`);
  return { customers, rate: Number(rate) } as const;
});
const DURATION_MS = Number(process.env.BENCH_AI_SECONDS ?? 20) * 1000;
/** Groups (a Slack channel and a WhatsApp number each) the conversations are spread over: the context's 50, or more. */
const GROUPS = Number(process.env.BENCH_AI_GROUPS ?? 50);
const THINK_MS = Number(process.env.BENCH_AI_THINK_MS ?? 50);
const TRACE = process.env.BENCH_AI_TRACE !== '0';
const WARM_RATE = 20;
const WARM_MS = 5_000;
const DRAIN_MAX_MS = 30_000;
const SETTLE_MAX_MS = 90_000;
const API_KEY = 'sk-proj-parleybench0123456789abcdefWXYZ';
/** `ai<phase letter>-<n>-x`: w warm-up, a b c… the phases, z the ceiling. */
const TOKEN = /\bai[a-z]-\d+-x\b/;
const CLOCK_TICK_MS = 10;

export interface AiPhaseResult {
  customers: 'new' | 'returning';
  rate: number;
  durationMs: number;
  counts: {
    messages: number;
    webhooksOk: number;
    webhooksFailed: number;
    /** Messages whose token reached the fake model (once or more). */
    modelAsked: number;
    /** Model requests beyond the first for a message. */
    modelAskedTwice: number;
    /** Messages whose answer reached the provider (once or more). */
    answered: number;
    /** Provider sends beyond the first for a message. */
    sentTwice: number;
    /** Messages whose answer never reached the provider within the drain. */
    lost: number;
    /** ai_turn rows of the phase's messages by status. */
    turns: Record<string, number>;
  };
  /** Target a: webhook sent → model request arrived at the fake OpenAI. */
  webhookToModelMs: Percentiles;
  /** Target b: model answer written by the fake → provider send arrived at the fake Graph API. */
  answerToSendMs: Percentiles;
  /** The fake model's own time per request in this phase (arrival → answer written). */
  modelRoundTripMs: Percentiles;
  /** Webhook sent → provider send: a + the model + b. */
  wholeTurnMs: Percentiles;
  webhookAckMs: Percentiles;
  /** a and b cut at the rows' own times (ms, the processes' clocks; the same host). */
  breakdownMs: Record<string, Percentiles>;
  /**
   * CPU (user + system) per message over the load and its drain: Parley's processes, the
   * database's backends, and the load generator with the fakes; `machineBusy`: share of all cores.
   */
  cpu: { webMs: number; workerMs: number; postgresMs: number; loadGeneratorMs: number; machineBusy: number };
  /** Slack Web API calls per message over the load and its drain, by method (the fake Slack's counts). */
  slackCallsPerMessage: Record<string, number>;
  /** From the traced processes, jobs started and connections asked for during the load and its drain. */
  trace?: PhaseTrace;
  drainedMs: number;
}

export interface AiBenchResult {
  thinkMs: number;
  /** Groups (Slack channels, WhatsApp numbers) the conversations were spread over, round robin. */
  groups: number;
  /** The env the processes got beyond the usual (AI_BURST_WINDOW_MS=0 and the fakes' URLs). */
  settings: Record<string, string>;
  phases: AiPhaseResult[];
  /** Requests the fake refused as OpenAI would (wrong key, invalid body): 0 means every request was valid. */
  modelRefused: number;
  /** Round trips to the fake model from the load generator: with the think time, and without. */
  ceilingMs: { modelRoundTrip: Percentiles; loopbackFloor: Percentiles };
}

interface PhaseTrace {
  /** Per process: job kind → how many, what they returned, queue wait (from when it was due) and run time. */
  jobs: Record<
    string,
    Record<string, { n: number; outcomes: Record<string, number>; waitMs: Percentiles; runMs: Percentiles }>
  >;
  /** Per process: waits for a database pool connection, and how many were already waiting. */
  pool: Record<string, { connects: number; waitMs: Percentiles; waitingAhead: Percentiles }>;
  /** Per process over its whole life: event-loop delay (ms, 10 ms resolution). */
  eventLoopDelayMs: Record<string, { p50: number; p99: number; max: number }>;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `BENCH_AI_PARLEY_ENV="WORKER_CONCURRENCY=32,DATABASE_POOL_MAX=20"`: more settings for both processes. */
const extraEnv = (name = 'BENCH_AI_PARLEY_ENV'): Record<string, string> =>
  Object.fromEntries(
    (process.env[name] ?? '')
      .split(',')
      .filter((kv) => kv.includes('='))
      .map((kv) => [kv.slice(0, kv.indexOf('=')).trim(), kv.slice(kv.indexOf('=') + 1).trim()]),
  );

/**
 * The tracing module each process imports first. It wraps BullMQ's Worker.callProcessJob and
 * pg's Pool.connect (the instances Parley loads: both are CommonJS, so one copy each) and writes
 * what it saw to a file when the process exits.
 */
const traceModule = (dir: string) => `
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
const require = createRequire(${JSON.stringify(join(process.cwd(), 'package.json'))});
const jobs = [];
const pool = [];
const { Worker } = require('bullmq');
const callProcessJob = Worker.prototype.callProcessJob;
if (callProcessJob)
  Worker.prototype.callProcessJob = async function (job, ...rest) {
    const start = Date.now();
    let outcome = 'failed';
    try {
      const result = await callProcessJob.call(this, job, ...rest);
      outcome = typeof result === 'string' ? result : result?.step ?? result?.outcome ?? 'done';
      return result;
    } finally { jobs.push([this.name, start, start - job.timestamp - (job.delay ?? 0), Date.now() - start, String(outcome)]); }
  };
const { Pool } = require('pg');
const connect = Pool.prototype.connect;
Pool.prototype.connect = function (cb) {
  const start = Date.now(), t0 = performance.now(), ahead = this.waitingCount;
  const done = () => pool.push([start, performance.now() - t0, ahead]);
  if (cb) return connect.call(this, (err, client, release) => { done(); cb(err, client, release); });
  return connect.call(this).then((client) => { done(); return client; });
};
const eld = monitorEventLoopDelay({ resolution: 10 });
eld.enable();
process.on('exit', () => writeFileSync(${JSON.stringify(dir)} + '/trace-' + process.pid + '.json', JSON.stringify({
  jobs, pool, eld: { p50: eld.percentile(50) / 1e6, p99: eld.percentile(99) / 1e6, max: eld.max / 1e6 },
})));
`;

interface TraceFile {
  /** Queue, start, wait, run, what the processor returned. */
  jobs: [string, number, number, number, string][];
  pool: [number, number, number][];
  eld: { p50: number; p99: number; max: number };
}

function phaseTrace(
  traces: Record<string, TraceFile>,
  windows: { from: number; to: number }[],
): PhaseTrace[] {
  const r1 = (n: number) => Math.round(n * 10) / 10;
  return windows.map(({ from, to }) => {
    const out: PhaseTrace = { jobs: {}, pool: {}, eventLoopDelayMs: {} };
    for (const [role, t] of Object.entries(traces)) {
      const byKind = new Map<string, { wait: number[]; run: number[]; outcomes: Record<string, number> }>();
      for (const [queue, start, w, run, outcome] of t.jobs) {
        if (start < from || start > to) continue;
        const k = byKind.get(queue) ?? { wait: [], run: [], outcomes: {} };
        byKind.set(queue, k);
        k.wait.push(w);
        k.run.push(run);
        k.outcomes[outcome] = (k.outcomes[outcome] ?? 0) + 1;
      }
      out.jobs[role] = Object.fromEntries(
        [...byKind].map(([q, k]) => [
          q,
          { n: k.run.length, outcomes: k.outcomes, waitMs: percentiles(k.wait), runMs: percentiles(k.run) },
        ]),
      );
      const connects = t.pool.filter(([start]) => start >= from && start <= to);
      out.pool[role] = {
        connects: connects.length,
        waitMs: percentiles(connects.map((c) => c[1])),
        waitingAhead: percentiles(connects.map((c) => c[2])),
      };
      out.eventLoopDelayMs[role] = { p50: r1(t.eld.p50), p99: r1(t.eld.p99), max: r1(t.eld.max) };
    }
    return out;
  });
}

/** CPU time of a process so far, in ms (Linux: utime + stime, in clock ticks). */
async function cpuMs(pid: number | undefined): Promise<number> {
  if (!pid) return 0;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
  } catch {
    return 0; // gone meanwhile (a pool connection closed)
  }
}

/** The machine's busy and total CPU time so far, in clock ticks over all cores. */
async function machineTicks(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const [, ...v] = line.trim().split(/\s+/).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - v[3]! - v[4]!, total };
}

async function cpuSnapshot(parley: RunningParley, db: pg.Client) {
  const { rows } = await db.query<{ pid: number }>(
    'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  );
  const backends = new Map<number, number>();
  for (const { pid } of rows) backends.set(pid, await cpuMs(pid));
  const self = process.cpuUsage();
  return {
    self: (self.user + self.system) / 1000,
    web: await cpuMs(parley.web.pid),
    worker: await cpuMs(parley.worker.pid),
    backends,
    machine: await machineTicks(),
  };
}

/** Jobs waiting, running or due in the worker's queues (BullMQ's keys under the prefix). */
async function backlog(redis: Redis, prefix: string): Promise<number> {
  const queues = ['ai-reply', 'deliver', 'mirror', 'home'];
  const now = Date.now();
  let n = 0;
  for (const q of queues) {
    n += await redis.llen(`${prefix}:${q}:wait`);
    n += await redis.llen(`${prefix}:${q}:active`);
    n += await redis.zcard(`${prefix}:${q}:prioritized`);
    // Delayed jobs are scored by due time × 4096 (BullMQ): count those due in the next second.
    n += await redis.zcount(`${prefix}:${q}:delayed`, 0, (now + 1000) * 4096);
  }
  return n;
}

/** More groups like the context's (one Slack channel, one WhatsApp number, one agent each), in its account. */
async function seedMoreGroups(databaseUrl: string, from: number, to: number) {
  const orm = await createOrm({ databaseUrl, poolMax: 2 });
  const em = orm.em.fork() as EntityManager;
  const account = await em.findOneOrFail(Account, { name: 'Bench' });
  const out: { phoneNumberId: string }[] = [];
  for (let i = from; i < to; i++) {
    const group = em.create(Group, { account, name: `AI${i}`, slackChannelId: `C_AI${i}` });
    em.create(ChannelEndpoint, {
      account,
      group,
      channel: 'whatsapp',
      address: `PNID_AI${i}`,
      name: `AI${i} WA`,
    });
    await em.flush();
    em.create(User, {
      account,
      name: `AI agent ${i}`,
      email: `ai-agent${i}@bench.test`,
      role: 'agent',
      groupIds: [group.id],
      slackUserId: `U_AI${i}`,
    });
    out.push({ phoneNumberId: `PNID_AI${i}` });
  }
  await em.flush();
  await orm.close(true);
  return out;
}

async function enableAiAgents(databaseUrl: string) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(`update "groups" set ai_agent = $1`, [JSON.stringify({ enabled: true, name: 'Ava' })]);
  // Counting statements (PostgreSQL's own log): only the processes started after this see it.
  if (process.env.BENCH_AI_LOG_STATEMENTS)
    await db.query(`alter database ${db.database} set log_statement = 'all'`);
  await db.end();
}

/** Per message of a phase: its conversation's, its turn's and its answer's row times (epoch ms). */
async function rowTimes(db: pg.Client, letter: string) {
  const { rows } = await db.query<{
    text: string;
    /** When the conversation was opened (the message's own time is Meta's timestamp, in seconds). */
    opened_at: string;
    turn_at: string | null;
    status: string | null;
    ai_at: string | null;
  }>(
    `select m.text,
            extract(epoch from c.created_at) * 1000 as opened_at,
            extract(epoch from t.created_at) * 1000 as turn_at,
            t.status,
            extract(epoch from a.created_at) * 1000 as ai_at
       from message m
       join conversation c on c.id = m.conversation_id
       left join ai_turn t on t.trigger_id = m.id
       left join message a on a.id = t.answer_id
      where m.kind = 'inbound' and m.text like $1`,
    [`ai${letter}-%`],
  );
  const n = (v: string | null) => (v === null ? null : Number(v));
  return rows.map((r) => ({
    text: r.text,
    openedAt: Number(r.opened_at),
    turnAt: n(r.turn_at),
    status: r.status,
    aiAt: n(r.ai_at),
  }));
}

/** Round trips to the fake model from the load generator (a body as Parley sends it, smaller). */
async function modelRoundTrips(baseUrl: string, n: number): Promise<Percentiles> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const body = JSON.stringify({
      model: 'gpt-4.1-mini',
      instructions: 'You are Ava.',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: `aiz-${i}-x` }] }],
      max_output_tokens: 750,
      store: false,
    });
    const t0 = performance.now();
    const res = await fetch(`${baseUrl}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body,
    });
    await res.arrayBuffer();
    times.push(performance.now() - t0);
  }
  return percentiles(times);
}

export async function benchAi(ctx: BenchContext): Promise<AiBenchResult> {
  const groups = [
    ...ctx.groups,
    ...(GROUPS > ctx.groups.length ? await seedMoreGroups(ctx.databaseUrl, ctx.groups.length, GROUPS) : []),
  ].slice(0, GROUPS);
  await enableAiAgents(ctx.databaseUrl);
  const openai = await startFakeOpenAi({ apiKey: API_KEY, thinkMs: THINK_MS, tokenPattern: TOKEN });
  const traceDir = join(tmpdir(), `parley-bench-ai-${process.pid}`);
  await rm(traceDir, { recursive: true, force: true });
  await mkdir(traceDir, { recursive: true });
  const nodeOptions = [
    TRACE ? `--import=data:text/javascript,${encodeURIComponent(traceModule(traceDir))}` : '',
    process.env.BENCH_AI_NODE_OPTIONS ?? '',
  ]
    .filter(Boolean)
    .join(' ');
  const settings: Record<string, string> = {
    // The burst window is a deliberate wait for the customer's next line: not Parley's overhead.
    AI_BURST_WINDOW_MS: '0',
    ...(process.env.BENCH_AI_SLACK === '0' ? { SLACK_BOT_TOKEN: '', SLACK_SIGNING_SECRET: '' } : {}),
    ...extraEnv(),
  };
  const roleEnv = { web: extraEnv('BENCH_AI_WEB_ENV'), worker: extraEnv('BENCH_AI_WORKER_ENV') };
  /** As the result shows them: a setting of one process is named `worker:KEY`. */
  const shown = { ...settings };
  for (const [role, env] of Object.entries(roleEnv))
    for (const [k, v] of Object.entries(env)) shown[`${role}:${k}`] = v;
  const parley = await startParley({
    ...ctx.parleyOptions(),
    env: {
      OPENAI_API_KEY: API_KEY,
      OPENAI_BASE_URL: openai.baseUrl,
      ...settings,
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    },
    roleEnv,
  });
  const customer = (n: number) => `1777${String(n).padStart(7, '0')}`;
  const webhook = (n: number, text: string) =>
    fetch(`${parley.url}/webhooks/whatsapp`, {
      method: 'POST',
      ...whatsappText(groups[n % groups.length]!.phoneNumberId, customer(n), text),
    });
  const sendsOf = (prefix: string) => ctx.graph.sends.filter((s) => s.text.includes(prefix)).length;
  const redis = new Redis('redis://127.0.0.1:6379');
  const db = new pg.Client({ connectionString: ctx.databaseUrl });
  await db.connect();
  const settle = async () => {
    const t0 = Date.now();
    for (let quiet = 0; quiet < 4 && Date.now() - t0 < SETTLE_MAX_MS; await wait(500))
      quiet = (await backlog(redis, ctx.prefix)) === 0 ? quiet + 1 : 0;
    await wait(2_000);
    return Date.now() - t0;
  };
  let nextCustomer = 0;
  const windows: { from: number; to: number }[] = [];
  const phases: Omit<AiPhaseResult, 'trace'>[] = [];
  try {
    // Warm-up: new conversations at a lower rate, each answered (JIT, pools and connections warm).
    ctx.log(`ai warm-up: ${WARM_RATE} new conversations/s for ${WARM_MS / 1000} s`);
    const warmFrom = nextCustomer;
    const warm = await openLoop(WARM_RATE, WARM_MS, (i) => webhook(warmFrom + i, `aiw-${i}-x`));
    nextCustomer += warm.sent;
    for (let t = 0; t < 20_000 && sendsOf('aiw-') < warm.sent; t += 250) await wait(250);
    ctx.log(`  warm-up answered ${sendsOf('aiw-')}/${warm.sent}; settled after ${await settle()} ms`);

    let previousNew: number[] = [];
    for (const [index, phase] of PHASES.entries()) {
      const letter = String.fromCharCode('a'.charCodeAt(0) + index);
      const count = Math.round((phase.rate * DURATION_MS) / 1000);
      // New: customers never seen. Returning: the last new phase's customers, each once more.
      let who: number[];
      if (phase.customers === 'new') {
        who = Array.from({ length: count }, (_, i) => nextCustomer + i);
        nextCustomer += count;
        previousNew = who;
      } else {
        if (previousNew.length < count)
          throw new Error('a returning phase needs a new phase of at least its size before it');
        who = previousNew.slice(0, count);
      }
      ctx.log(
        `ai phase ${letter}: ${phase.rate} ${phase.customers === 'new' ? 'new' : 'open'} conversations/s over ${groups.length} groups for ${DURATION_MS / 1000} s (model thinks ${THINK_MS} ms)`,
      );
      const sentAt = new Map<string, number>();
      const from = Date.now();
      const slack0 = new Map(ctx.slack.counts);
      const cpu0 = await cpuSnapshot(parley, db);
      const acks = await openLoop(phase.rate, DURATION_MS, (i) => {
        const token = `ai${letter}-${i}-x`;
        sentAt.set(token, Date.now());
        return webhook(who[i]!, token);
      });
      const drainStart = Date.now();
      const prefix = `ai${letter}-`;
      while (Date.now() - drainStart < DRAIN_MAX_MS && sendsOf(prefix) < acks.sent) await wait(250);
      const drainedMs = Date.now() - drainStart;
      // A little longer: a second model call or send for a message would show here.
      await wait(2_000);
      const cpu1 = await cpuSnapshot(parley, db);
      const slackCalls = Object.fromEntries(
        [...ctx.slack.counts]
          .map(([method, n]) => [
            method,
            Math.round(((n - (slack0.get(method) ?? 0)) / acks.sent) * 100) / 100,
          ])
          .filter(([, n]) => (n as number) > 0),
      );
      windows.push({ from, to: Date.now() });
      ctx.log(`  drained in ${drainedMs} ms (${sendsOf(prefix)}/${acks.sent} sent)`);
      phases.push({
        ...(await phaseResult(phase, letter, acks, sentAt, cpu0, cpu1, drainedMs)),
        slackCallsPerMessage: slackCalls,
      });
      if (index < PHASES.length - 1) ctx.log(`  settled after ${await settle()} ms`);
    }
  } finally {
    await parley.stop();
    redis.disconnect();
  }
  const traces: Record<string, TraceFile> = {};
  if (TRACE)
    for (const [role, proc] of [
      ['web', parley.web],
      ['worker', parley.worker],
    ] as const) {
      const file = join(traceDir, `trace-${proc.pid}.json`);
      traces[role] = JSON.parse(await readFile(file, 'utf8').catch(() => 'null')) ?? undefined;
      if (!traces[role]) delete traces[role];
    }
  await rm(traceDir, { recursive: true, force: true });
  const phaseTraces = phaseTrace(traces, windows);
  const modelRoundTrip = await modelRoundTrips(openai.baseUrl, 200);
  openai.setThinkMs(0);
  const loopbackFloor = await modelRoundTrips(openai.baseUrl, 300);
  await db.end();
  await openai.close();
  return {
    thinkMs: THINK_MS,
    groups: groups.length,
    settings: shown,
    phases: phases.map((p, i) => ({ ...p, ...(TRACE ? { trace: phaseTraces[i] } : {}) })),
    modelRefused: openai.refused.length,
    ceilingMs: { modelRoundTrip, loopbackFloor },
  };

  async function phaseResult(
    phase: (typeof PHASES)[number],
    letter: string,
    acks: Awaited<ReturnType<typeof openLoop>>,
    sentAt: Map<string, number>,
    cpu0: Awaited<ReturnType<typeof cpuSnapshot>>,
    cpu1: Awaited<ReturnType<typeof cpuSnapshot>>,
    drainedMs: number,
  ): Promise<Omit<AiPhaseResult, 'trace' | 'slackCallsPerMessage'>> {
    const mine = (token: string | null): token is string => !!token?.startsWith(`ai${letter}-`);
    const asked = new Map<string, { arrivedAt: number; answeredAt: number }>();
    let askedTwice = 0;
    const modelTimes: number[] = [];
    for (const r of openai.requests) {
      if (!mine(r.token)) continue;
      modelTimes.push(r.answeredAt - r.arrivedAt);
      if (asked.has(r.token)) askedTwice++;
      else asked.set(r.token, r);
    }
    const sent = new Map<string, number>();
    let sentTwice = 0;
    for (const s of ctx.graph.sends) {
      const token = TOKEN.exec(s.text)?.[0] ?? null;
      if (!mine(token)) continue;
      if (sent.has(token)) sentTwice++;
      else sent.set(token, s.at);
    }
    const toModel: number[] = [];
    const toSend: number[] = [];
    const whole: number[] = [];
    for (const [token, t0] of sentAt) {
      const m = asked.get(token);
      const s = sent.get(token);
      if (m) toModel.push(m.arrivedAt - t0);
      if (m && s !== undefined) toSend.push(s - m.answeredAt);
      if (s !== undefined) whole.push(s - t0);
    }

    const turns: Record<string, number> = {};
    const seg: Record<string, number[]> = {
      ...(phase.customers === 'new' ? { webhookSentToConversationOpened: [] } : {}),
      ...(phase.customers === 'new' ? { conversationOpenedToTurnClaimed: [] } : {}),
      webhookSentToTurnClaimed: [],
      turnClaimedToModelRequest: [],
      modelAnswerToAnswerRecorded: [],
      answerRecordedToProviderSend: [],
    };
    for (const r of await rowTimes(db, letter)) {
      turns[r.status ?? 'none'] = (turns[r.status ?? 'none'] ?? 0) + 1;
      const t0 = sentAt.get(r.text);
      const m = asked.get(r.text);
      const s = sent.get(r.text);
      if (phase.customers === 'new' && t0 !== undefined)
        seg.webhookSentToConversationOpened!.push(r.openedAt - t0);
      if (phase.customers === 'new' && r.turnAt !== null)
        seg.conversationOpenedToTurnClaimed!.push(r.turnAt - r.openedAt);
      if (t0 !== undefined && r.turnAt !== null) seg.webhookSentToTurnClaimed!.push(r.turnAt - t0);
      if (r.turnAt !== null && m) seg.turnClaimedToModelRequest!.push(m.arrivedAt - r.turnAt);
      if (r.aiAt !== null && m) seg.modelAnswerToAnswerRecorded!.push(r.aiAt - m.answeredAt);
      if (r.aiAt !== null && s !== undefined) seg.answerRecordedToProviderSend!.push(s - r.aiAt);
    }
    const perMessage = (ms: number) => Math.round((ms / acks.sent) * 10) / 10;
    let postgres = 0;
    for (const [pid, after] of cpu1.backends) postgres += after - (cpu0.backends.get(pid) ?? 0);
    const machine = {
      busy: cpu1.machine.busy - cpu0.machine.busy,
      total: cpu1.machine.total - cpu0.machine.total,
    };
    return {
      customers: phase.customers,
      rate: phase.rate,
      durationMs: DURATION_MS,
      counts: {
        messages: acks.sent,
        webhooksOk: acks.ok,
        webhooksFailed: acks.failed,
        modelAsked: asked.size,
        modelAskedTwice: askedTwice,
        answered: sent.size,
        sentTwice,
        lost: acks.sent - sent.size,
        turns,
      },
      webhookToModelMs: percentiles(toModel),
      answerToSendMs: percentiles(toSend),
      modelRoundTripMs: percentiles(modelTimes),
      wholeTurnMs: percentiles(whole),
      webhookAckMs: acks.latency,
      breakdownMs: Object.fromEntries(Object.entries(seg).map(([k, v]) => [k, percentiles(v)])),
      cpu: {
        webMs: perMessage(cpu1.web - cpu0.web),
        workerMs: perMessage(cpu1.worker - cpu0.worker),
        postgresMs: perMessage(postgres),
        loadGeneratorMs: perMessage(cpu1.self - cpu0.self),
        machineBusy: Math.round((machine.busy / Math.max(1, machine.total)) * 100) / 100,
      },
      drainedMs,
    };
  }
}
