import type { BenchContext } from './bench-context.ts';
import { openLoop, type Percentiles, percentiles } from './load.ts';
import { cpuMs, machineTicks, slackReplyEvent, startParley, whatsappText } from './parley-processes.ts';

// BENCH_E2E_RATE: another rate, to see the cost per message away from saturation.
const RATE = Number(process.env.BENCH_E2E_RATE ?? 50);
const DURATION_MS = 20_000;
const DRAIN_MS = 15_000;

/** CPU spent over a phase (its load and its drain): per message for each process, and the machine's. */
export interface PhaseCpu {
  webMsPerMessage: number;
  workerMsPerMessage: number;
  /** Busy share of all cores (PostgreSQL, Redis and this load generator included), 0–1. */
  machineBusy: number;
}

export interface E2eResult {
  /** Messages per second in each phase (BENCH_E2E_RATE). */
  rate: number;
  inbound: {
    messages: number;
    posted: number;
    latencyMs: Percentiles;
    webhookAckMs: Percentiles;
    cpu: PhaseCpu;
  };
  outbound: { replies: number; sent: number; latencyMs: Percentiles; eventAckMs: Percentiles; cpu: PhaseCpu };
  ceilingMs: Percentiles;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts counting CPU; the function it returns ends the count for `messages` messages. */
async function cpuCounter(web: number, worker: number) {
  const [w0, k0, m0] = [await cpuMs(web), await cpuMs(worker), await machineTicks()];
  return async (messages: number): Promise<PhaseCpu> => {
    const [w1, k1, m1] = [await cpuMs(web), await cpuMs(worker), await machineTicks()];
    const per = (ms: number) => Math.round((ms / Math.max(messages, 1)) * 100) / 100;
    return {
      webMsPerMessage: per(w1 - w0),
      workerMsPerMessage: per(k1 - k0),
      machineBusy: Math.round(((m1.busy - m0.busy) / (m1.total - m0.total)) * 100) / 100,
    };
  };
}

/** Round trips to the fake Slack itself: the floor under any "posted in Slack" latency. */
async function ceiling(ctx: BenchContext): Promise<Percentiles> {
  const times: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    await (await fetch(`${ctx.slack.apiUrl}auth.test`, { method: 'POST' })).arrayBuffer();
    times.push(performance.now() - t0);
  }
  return percentiles(times);
}

/**
 * Issue 5, target 2: webhook received → message posted in its Slack thread, at 50 messages/s over
 * 50 channels; then agent reply in Slack → provider send call, at the same rate.
 */
export async function benchE2e(ctx: BenchContext): Promise<E2eResult> {
  const parley = await startParley(ctx.parleyOptions());
  const groups = ctx.groups;
  const sentAt = new Map<string, number>();
  const customer = (g: number) => `1666${String(g).padStart(7, '0')}`;

  // Warm-up: one conversation per channel, so the measured messages go into existing threads.
  for (let g = 0; g < groups.length; g++) {
    const w = whatsappText(groups[g]!.phoneNumberId, customer(g), `warm ${g}`);
    await fetch(`${parley.url}/webhooks/whatsapp`, { method: 'POST', ...w });
  }
  await wait(5_000);

  ctx.log(`e2e inbound: ${RATE}/s over ${groups.length} channels for ${DURATION_MS / 1000} s`);
  const [web, worker] = [parley.web.pid!, parley.worker.pid!];
  const inboundCpu = await cpuCounter(web, worker);
  const acks = await openLoop(RATE, DURATION_MS, (i) => {
    const g = i % groups.length;
    const token = `e2e-in-${i}-x`;
    sentAt.set(token, performance.timeOrigin + performance.now());
    return fetch(`${parley.url}/webhooks/whatsapp`, {
      method: 'POST',
      ...whatsappText(groups[g]!.phoneNumberId, customer(g), token),
    });
  });
  await wait(DRAIN_MS);
  const inCpu = await inboundCpu(acks.sent);
  const inLat: number[] = [];
  for (const p of ctx.slack.posts) {
    for (const m of p.text.matchAll(/e2e-in-\d+-x/g)) {
      const t = sentAt.get(m[0]);
      if (t !== undefined) {
        inLat.push(p.at - t);
        sentAt.delete(m[0]);
      }
    }
  }

  // Replies: each channel's thread (where its warm-up message was posted).
  const threads = groups.map((g, i) => {
    const post = ctx.slack.posts.find(
      (p) => p.channel === g.channel && p.threadTs && p.text.includes(`warm ${i}`),
    );
    return { channel: g.channel, user: g.agentSlackId, threadTs: post?.threadTs ?? '' };
  });
  ctx.log(`e2e outbound: agent replies at ${RATE}/s for ${DURATION_MS / 1000} s`);
  const replyAt = new Map<string, number>();
  const outboundCpu = await cpuCounter(web, worker);
  const eventAcks = await openLoop(RATE, DURATION_MS, (i) => {
    const t = threads[i % threads.length]!;
    const token = `e2e-out-${i}-x`;
    replyAt.set(token, performance.timeOrigin + performance.now());
    const ts = `${Math.floor(Date.now() / 1000)}.${String(900000 + i).padStart(6, '0')}`;
    return fetch(`${parley.url}/slack/events`, {
      method: 'POST',
      ...slackReplyEvent(t.channel, t.user, t.threadTs, token, ts),
    });
  });
  await wait(DRAIN_MS);
  const outCpu = await outboundCpu(eventAcks.sent);
  const outLat: number[] = [];
  for (const s of ctx.graph.sends) {
    const t = replyAt.get(s.text);
    if (t !== undefined) outLat.push(s.at - t);
  }
  const result = {
    rate: RATE,
    inbound: {
      messages: acks.sent,
      posted: inLat.length,
      latencyMs: percentiles(inLat),
      webhookAckMs: acks.latency,
      cpu: inCpu,
    },
    outbound: {
      replies: eventAcks.sent,
      sent: outLat.length,
      latencyMs: percentiles(outLat),
      eventAckMs: eventAcks.latency,
      cpu: outCpu,
    },
    ceilingMs: await ceiling(ctx),
  };
  await parley.stop();
  return result;
}
