import { readFile } from 'node:fs/promises';
import pg from 'pg';
import type { BenchContext } from './bench-context.ts';
import { startFakeOpenAi } from './fake-openai-server.ts';
import { openLoop, type Percentiles, percentiles } from './load.ts';
import { startParley, whatsappText } from './parley-processes.ts';

/**
 * Issue 11: Parley's own overhead around the AI agent's model, beside the fake model's round trip
 * in the same run, at 50 conversations a second (each message a new customer, so a new
 * conversation): webhook sent → model request arrived at the fake OpenAI, and model answer
 * written by the fake → provider send call arrived at the fake Graph API. `parley web` and
 * `parley worker` run as separate processes; the 50 seeded groups (Slack channels, WhatsApp
 * numbers) get `aiAgent: { enabled: true, name: 'Ava' }`. AI_BURST_WINDOW_MS=0: the burst window is
 * a deliberate wait for more customer lines, not overhead. `BENCH_AI_THINK_MS` (50) sets the fake
 * model's think time, `BENCH_AI_RATE` (50) and `BENCH_AI_SECONDS` (20) the load. For finding where
 * the time goes: `BENCH_AI_NODE_OPTIONS` (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is given to
 * both Parley processes, and `BENCH_AI_LOG_STATEMENTS=1` logs every statement of the run's database.
 */
const RATE = Number(process.env.BENCH_AI_RATE ?? 50);
const DURATION_MS = Number(process.env.BENCH_AI_SECONDS ?? 20) * 1000;
const THINK_MS = Number(process.env.BENCH_AI_THINK_MS ?? 50);
const WARM_RATE = 20;
const WARM_MS = 5_000;
const DRAIN_MAX_MS = 30_000;
const API_KEY = 'sk-proj-parleybench0123456789abcdefWXYZ';
/** b: measured, w: warm-up, c: ceiling. */
const TOKEN = /\bai[bwc]-\d+-x\b/;

export interface AiBenchResult {
  thinkMs: number;
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
    lost: number;
    /** Requests the fake refused as OpenAI would (wrong key, invalid body). */
    modelRefused: number;
    /** ai_turn rows of the measured messages by status. */
    turns: Record<string, number>;
  };
  /** Target a: webhook sent → model request arrived at the fake. */
  webhookToModelMs: Percentiles;
  /** Target b: model answer written by the fake → provider send arrived at the fake Graph API. */
  answerToSendMs: Percentiles;
  /** The fake model's own time per request in this run (arrival → answer written). */
  modelRoundTripMs: Percentiles;
  /** Webhook sent → provider send: a + the model + b. */
  wholeTurnMs: Percentiles;
  webhookAckMs: Percentiles;
  /** Where a and b go, from the rows' own times (ms resolution, the processes' clocks). */
  breakdownMs: Record<string, Percentiles>;
  /** Round trips to the fake model from the load generator: with the think time, and without. */
  ceilingMs: { modelRoundTrip: Percentiles; loopbackFloor: Percentiles };
  /** CPU (user + system) of each process per measured message, over the load and its drain. */
  cpuMsPerMessage: { web: number; worker: number };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU time of a process so far, in ms (Linux: utime + stime in clock ticks of 10 ms). */
async function cpuMs(pid: number | undefined): Promise<number> {
  if (!pid) return 0;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
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

/** Per measured message: its inbound row, its turn's row and its answer's row times (epoch ms). */
async function rowTimes(databaseUrl: string) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const { rows } = await db.query<{
    text: string;
    /** The conversation's creation: the inbound transaction's time (the message's own is Meta's timestamp, in seconds). */
    inbound_at: number;
    turn_at: number | null;
    status: string | null;
    ai_at: number | null;
  }>(
    `select m.text,
            extract(epoch from c.created_at) * 1000 as inbound_at,
            extract(epoch from t.created_at) * 1000 as turn_at,
            t.status,
            extract(epoch from a.created_at) * 1000 as ai_at
       from message m
       join conversation c on c.id = m.conversation_id
       left join ai_turn t on t.trigger_id = m.id
       left join message a on a.id = t.answer_id
      where m.kind = 'inbound' and m.text like 'aib-%'`,
  );
  await db.end();
  return rows.map((r) => ({
    ...r,
    inbound_at: Number(r.inbound_at),
    turn_at: r.turn_at === null ? null : Number(r.turn_at),
    ai_at: r.ai_at === null ? null : Number(r.ai_at),
  }));
}

/** One Responses API request as Parley's SDK would send it, carrying a token. */
async function modelRoundTrips(baseUrl: string, n: number): Promise<Percentiles> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const body = JSON.stringify({
      model: 'gpt-4.1-mini',
      instructions: 'You are Ava.',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: `aic-${i}-x` }] }],
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
  await enableAiAgents(ctx.databaseUrl);
  const openai = await startFakeOpenAi({ apiKey: API_KEY, thinkMs: THINK_MS, tokenPattern: TOKEN });
  const parley = await startParley({
    ...ctx.parleyOptions(),
    env: {
      OPENAI_API_KEY: API_KEY,
      OPENAI_BASE_URL: openai.baseUrl,
      // The burst window is a deliberate wait for the customer's next line: not Parley's overhead.
      AI_BURST_WINDOW_MS: '0',
      // Profiling (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof'): for both processes, not the load generator.
      ...(process.env.BENCH_AI_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_AI_NODE_OPTIONS } : {}),
    },
  });
  const groups = ctx.groups;
  const webhook = (g: number, from: string, text: string) =>
    fetch(`${parley.url}/webhooks/whatsapp`, {
      method: 'POST',
      ...whatsappText(groups[g % groups.length]!.phoneNumberId, from, text),
    });
  const sendsOf = (prefix: string) => ctx.graph.sends.filter((s) => s.text.includes(prefix)).length;
  try {
    // Warm-up: new conversations at a lower rate, each answered, so JIT, pools and connections are warm.
    ctx.log(`ai warm-up: ${WARM_RATE} new conversations/s for ${WARM_MS / 1000} s`);
    const warm = await openLoop(WARM_RATE, WARM_MS, (i) =>
      webhook(i, `1778${String(i).padStart(7, '0')}`, `aiw-${i}-x`),
    );
    for (let t = 0; t < 20_000 && sendsOf('aiw-') < warm.sent; t += 250) await wait(250);
    await wait(3_000);
    ctx.log(`  warm-up answered ${sendsOf('aiw-')}/${warm.sent}`);

    ctx.log(
      `ai: ${RATE} new conversations/s over ${groups.length} groups for ${DURATION_MS / 1000} s (model thinks ${THINK_MS} ms)`,
    );
    const sentAt = new Map<string, number>();
    const cpu0 = { web: await cpuMs(parley.web.pid), worker: await cpuMs(parley.worker.pid) };
    const acks = await openLoop(RATE, DURATION_MS, (i) => {
      const token = `aib-${i}-x`;
      sentAt.set(token, Date.now());
      return webhook(i, `1777${String(i).padStart(7, '0')}`, token);
    });
    const drainStart = Date.now();
    while (Date.now() - drainStart < DRAIN_MAX_MS && sendsOf('aib-') < acks.sent) await wait(250);
    // A little longer: a second model call or send for a message would show here.
    await wait(3_000);
    const cpu1 = { web: await cpuMs(parley.web.pid), worker: await cpuMs(parley.worker.pid) };
    ctx.log(`  drained in ${Date.now() - drainStart} ms (${sendsOf('aib-')}/${acks.sent} sent)`);

    const tokenOf = (text: string) => TOKEN.exec(text)?.[0] ?? null;
    const asked = new Map<string, { arrivedAt: number; answeredAt: number }>();
    let askedTwice = 0;
    const modelTimes: number[] = [];
    for (const r of openai.requests) {
      if (!r.token?.startsWith('aib-')) continue;
      modelTimes.push(r.answeredAt - r.arrivedAt);
      if (asked.has(r.token)) askedTwice++;
      else asked.set(r.token, r);
    }
    const sent = new Map<string, number>();
    let sentTwice = 0;
    for (const s of ctx.graph.sends) {
      const token = tokenOf(s.text);
      if (!token?.startsWith('aib-')) continue;
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

    // Where the time goes, from the rows' own times.
    const rows = await rowTimes(ctx.databaseUrl);
    const turns: Record<string, number> = {};
    const seg: Record<string, number[]> = {
      webhookSentToInboundTx: [],
      inboundTxToTurnFlushed: [],
      turnFlushedToModelRequest: [],
      modelAnswerToAiMessageTx: [],
      aiMessageTxToProviderSend: [],
    };
    for (const r of rows) {
      turns[r.status ?? 'none'] = (turns[r.status ?? 'none'] ?? 0) + 1;
      const t0 = sentAt.get(r.text);
      const m = asked.get(r.text);
      const s = sent.get(r.text);
      if (t0 !== undefined) seg.webhookSentToInboundTx!.push(r.inbound_at - t0);
      if (r.turn_at !== null) seg.inboundTxToTurnFlushed!.push(r.turn_at - r.inbound_at);
      if (r.turn_at !== null && m) seg.turnFlushedToModelRequest!.push(m.arrivedAt - r.turn_at);
      if (r.ai_at !== null && m) seg.modelAnswerToAiMessageTx!.push(r.ai_at - m.answeredAt);
      if (r.ai_at !== null && s !== undefined) seg.aiMessageTxToProviderSend!.push(s - r.ai_at);
    }
    const breakdownMs = Object.fromEntries(Object.entries(seg).map(([k, v]) => [k, percentiles(v)]));

    const modelRoundTrip = await modelRoundTrips(openai.baseUrl, 200);
    openai.setThinkMs(0);
    const loopbackFloor = await modelRoundTrips(openai.baseUrl, 300);
    const perMessage = (ms: number) => Math.round((ms / acks.sent) * 100) / 100;
    return {
      thinkMs: THINK_MS,
      rate: RATE,
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
        modelRefused: openai.refused.length,
        turns,
      },
      webhookToModelMs: percentiles(toModel),
      answerToSendMs: percentiles(toSend),
      modelRoundTripMs: percentiles(modelTimes),
      wholeTurnMs: percentiles(whole),
      webhookAckMs: acks.latency,
      breakdownMs,
      ceilingMs: { modelRoundTrip, loopbackFloor },
      cpuMsPerMessage: {
        web: perMessage(cpu1.web - cpu0.web),
        worker: perMessage(cpu1.worker - cpu0.worker),
      },
    };
  } finally {
    await parley.stop();
    await openai.close();
  }
}
