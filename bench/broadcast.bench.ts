import type { BenchContext } from './bench-context.ts';
import { postBroadcast, seedBroadcastAudience } from './broadcast-audience.ts';
import { openLoop, type Percentiles, percentiles } from './load.ts';
import { startParley, whatsappText } from './parley-processes.ts';

/**
 * R8 (issue 12): a 10,000-recipient WhatsApp broadcast sent by the real web and worker processes
 * against the fake Graph API, its throughput beside the number's configured send rate; and the
 * latency of ordinary traffic (customer webhook → message posted in its Slack thread) while it runs,
 * beside the same traffic with no broadcast.
 */
const RECIPIENTS = 10_000;
const TRAFFIC_RATE = 10;
const TRAFFIC_MS = 30_000;
const DRAIN_MS = 10_000;
const FINISH_TIMEOUT_MS = 420_000;
const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
/**
 * `BENCH_BROADCAST_UNLINKED=1`: the broadcasting group has no Slack channel, so its 10,000 new
 * conversations open no threads: separates the sending from the mirroring of what was sent.
 */
const UNLINKED = process.env.BENCH_BROADCAST_UNLINKED === '1';

export interface BroadcastResult {
  /** Whether the broadcasting group's Slack channel was linked (its conversations mirrored). */
  groupLinkedToSlack: boolean;
  recipients: number;
  sendRatePerSecond: number;
  /** What Parley lets a broadcast take of the number's rate. */
  broadcastPacePerSecond: number;
  createAnswerMs: number;
  sent: number;
  /** First to last send of the broadcast. */
  sendingSeconds: number;
  achievedPerSecond: number;
  /** Ordinary webhook → Slack post latency in other groups' channels. */
  trafficWithoutBroadcast: { messages: number; posted: number; latencyMs: Percentiles };
  trafficDuringBroadcast: { messages: number; posted: number; latencyMs: Percentiles };
  /** The same traffic in the broadcasting group's own channel, where its new threads queue too. */
  sameChannelDuringBroadcast: { messages: number; posted: number; latencyMs: Percentiles } | null;
  /** Slack thread headers the broadcast's conversations had opened when the sends finished. */
  broadcastThreadsPostedAtEnd: number | null;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seed(ctx: BenchContext): Promise<{ endpointId: string; rate: number }> {
  // Meta's default 80 msg/s for the number.
  const { endpointId } = await seedBroadcastAudience(ctx.databaseUrl, ctx.groups[0]!.groupId, {
    count: RECIPIENTS,
    tag: 'bench',
    prefix: '1777',
    unlinkSlack: UNLINKED,
  });
  return { endpointId, rate: 80 };
}

/** Open-loop customer messages into existing threads of `groups`; latency until each is posted in Slack. */
async function traffic(ctx: BenchContext, url: string, groups: number[], label: string) {
  const sentAt = new Map<string, number>();
  const customer = (g: number) => `1888${String(g).padStart(7, '0')}`;
  const acks = await openLoop(TRAFFIC_RATE, TRAFFIC_MS, (i) => {
    const g = groups[i % groups.length]!;
    const token = `${label}-${i}-x`;
    sentAt.set(token, performance.timeOrigin + performance.now());
    return fetch(`${url}/webhooks/whatsapp`, {
      method: 'POST',
      ...whatsappText(ctx.groups[g]!.phoneNumberId, customer(g), token),
    });
  });
  await wait(DRAIN_MS);
  const lat: number[] = [];
  const pattern = new RegExp(`${label}-\\d+-x`, 'g');
  for (const p of ctx.slack.posts)
    for (const m of p.text.matchAll(pattern)) {
      const t = sentAt.get(m[0]);
      if (t !== undefined) {
        lat.push(p.at - t);
        sentAt.delete(m[0]);
      }
    }
  return { messages: acks.sent, posted: lat.length, latencyMs: percentiles(lat) };
}

export async function benchBroadcast(ctx: BenchContext): Promise<BroadcastResult> {
  const { endpointId, rate } = await seed(ctx);
  const parley = await startParley({ ...ctx.parleyOptions(), env: { ADMIN_API_TOKEN: ADMIN_TOKEN } });
  const g0 = ctx.groups[0]!;
  const others = ctx.groups.map((_, i) => i).slice(1);
  try {
    // Warm-up: one conversation per group, so measured messages go into existing threads.
    for (let g = 0; g < ctx.groups.length; g++) {
      const w = whatsappText(ctx.groups[g]!.phoneNumberId, `1888${String(g).padStart(7, '0')}`, `warm ${g}`);
      await fetch(`${parley.url}/webhooks/whatsapp`, { method: 'POST', ...w });
    }
    await wait(5_000);
    ctx.log(`broadcast: ordinary traffic without a broadcast, ${TRAFFIC_RATE}/s for ${TRAFFIC_MS / 1000} s`);
    const without = await traffic(ctx, parley.url, others, 'quiet');

    ctx.log(`broadcast: ${RECIPIENTS} recipients from ${g0.phoneNumberId} (send rate ${rate}/s)`);
    const before = ctx.graph.sends.length;
    const t0 = performance.now();
    const created = await postBroadcast(parley.url, {
      token: ADMIN_TOKEN,
      userEmail: 'agent0@bench.test',
      groupId: g0.groupId,
      endpointId,
      tag: 'bench',
    });
    const createAnswerMs = Math.round(performance.now() - t0);

    const [during, sameChannel] = await Promise.all([
      traffic(ctx, parley.url, others, 'busy'),
      UNLINKED ? Promise.resolve(null) : traffic(ctx, parley.url, [0], 'same'),
    ]);
    const until = Date.now() + FINISH_TIMEOUT_MS;
    const broadcastSends = () => ctx.graph.sends.slice(before).filter((s) => s.to.startsWith('1777'));
    while (broadcastSends().length < created.queued && Date.now() < until) await wait(1_000);
    const sends = broadcastSends();
    const first = sends[0]?.at ?? 0;
    const last = sends.at(-1)?.at ?? 0;
    const sendingSeconds = Math.round((last - first) / 100) / 10;
    return {
      groupLinkedToSlack: !UNLINKED,
      recipients: RECIPIENTS,
      sendRatePerSecond: rate,
      broadcastPacePerSecond: rate * 0.8,
      createAnswerMs,
      sent: sends.length,
      sendingSeconds,
      achievedPerSecond: sendingSeconds > 0 ? Math.round((sends.length / sendingSeconds) * 10) / 10 : 0,
      trafficWithoutBroadcast: without,
      trafficDuringBroadcast: during,
      sameChannelDuringBroadcast: sameChannel,
      // Less the warm-up conversation's thread.
      broadcastThreadsPostedAtEnd: UNLINKED
        ? null
        : ctx.slack.posts.filter((p) => p.channel === g0.channel && !p.threadTs).length - 1,
    };
  } finally {
    await parley.stop();
  }
}
