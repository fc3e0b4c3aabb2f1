import type { BenchContext } from './bench-context.ts';
import { openLoop, type Percentiles, percentiles } from './load.ts';
import { startParley, whatsappText } from './parley-processes.ts';

const RATE = 10;
const DURATION_MS = 60_000;
/** Customers writing at once into the one channel (each their own conversation and thread). */
const CUSTOMERS = 3;
const DRAIN_MS = 30_000;

export interface HotChannelResult {
  messages: number;
  lost: number;
  duplicated: number;
  outOfOrderThreads: number;
  lagMs: Percentiles;
  slackPosts: number;
  slack429: number;
  callsDuringRetryAfter: number;
}

/**
 * Issue 5, target 3: 10 messages/s into conversations that all mirror into one channel whose
 * fake allows one post per second (burst 3, then 429 + Retry-After). Pending items of a
 * conversation must be combined so lag stays bounded; nothing lost, each thread in order, no call
 * inside a Retry-After window.
 */
export async function benchHotChannel(ctx: BenchContext): Promise<HotChannelResult> {
  const parley = await startParley(ctx.parleyOptions());
  const hot = ctx.groups[0]!;
  const sentAt = new Map<string, number>();
  ctx.log(
    `hot channel: ${RATE}/s from ${CUSTOMERS} customers into ${hot.channel} (1 post/s) for ${DURATION_MS / 1000} s`,
  );
  const acks = await openLoop(RATE, DURATION_MS, (i) => {
    const c = i % CUSTOMERS;
    const token = `hot-${c}-${i}-x`;
    sentAt.set(token, Date.now());
    return fetch(`${parley.url}/webhooks/whatsapp`, {
      method: 'POST',
      ...whatsappText(hot.phoneNumberId, `1777000000${c}`, token),
    });
  });
  await new Promise((r) => setTimeout(r, DRAIN_MS));
  await parley.stop();

  const seen = new Map<string, number>();
  const lag: number[] = [];
  const perThread = new Map<string, number[]>();
  for (const p of ctx.slack.posts.filter((x) => x.channel === hot.channel)) {
    for (const m of p.text.matchAll(/hot-(\d+)-(\d+)-x/g)) {
      seen.set(m[0], (seen.get(m[0]) ?? 0) + 1);
      if (seen.get(m[0]) === 1) lag.push(p.at - sentAt.get(m[0])!);
      const key = `${p.threadTs}:${m[1]}`;
      perThread.set(key, [...(perThread.get(key) ?? []), Number(m[2])]);
    }
  }
  const outOfOrder = [...perThread.values()].filter((seqs) =>
    seqs.some((v, i) => i > 0 && v < seqs[i - 1]!),
  ).length;
  const stats = ctx.slack.stats();
  return {
    messages: acks.ok,
    lost: [...sentAt.keys()].filter((t) => !seen.has(t)).length,
    duplicated: [...seen.values()].filter((n) => n > 1).length,
    outOfOrderThreads: outOfOrder,
    lagMs: percentiles(lag),
    slackPosts: ctx.slack.posts.filter((x) => x.channel === hot.channel).length,
    slack429: stats.rateLimited,
    callsDuringRetryAfter: stats.callsDuringHold,
  };
}
