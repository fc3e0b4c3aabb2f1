import type { startFakeTeams } from './fake-teams-server.ts';
import { openLoop, type Percentiles, percentiles } from './load.ts';
import { whatsappText } from './parley-processes.ts';
import { headersCurrent, readItemPosts, requestsBetween, unrepliedCounts } from './teams-posts.ts';

/** The two measured phases of the Teams benchmark (teams.bench.ts starts what they run against). */

export type FakeTeams = Awaited<ReturnType<typeof startFakeTeams>>;
type Requests = ReturnType<typeof requestsBetween>;

export interface PhaseContext {
  teams: FakeTeams;
  databaseUrl: string;
  parleyUrl: string;
  log: (line: string) => void;
  drainMs: number;
}

export interface E2ePhase {
  ratePerSecond: number;
  messages: number;
  posted: number;
  duplicated: number;
  latencyMs: Percentiles;
  webhookAckMs: Percentiles;
  /** Posts the measured messages went out in (fewer than messages: some were combined). */
  posts: number;
  /** Header cards showing Parley's unreplied count once the run drained. */
  headersCurrent: string;
  /** From the end of the load to the last header redrawn: how long the counts took to catch up. */
  headersSettledMs: number;
  /** Bot Connector requests while the load ran, and until it drained. */
  requestsUnderLoad: Requests;
  requests: Requests;
}

export interface HotPhase {
  messages: number;
  lost: number;
  duplicated: number;
  /** A post showing an item before one the timeline has earlier (Parley's order). */
  outOfOrder: boolean;
  /**
   * Items shown after one whose webhook was sent later: webhooks sent 50 ms apart over separate
   * connections may be committed in another order, which is then the conversation's order.
   */
  sentOrderInversions: number;
  lagMs: Percentiles;
  posts: number;
  headersCurrent: string;
  requests: Requests;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const webhook = (url: string, phoneNumberId: string, from: string, text: string) =>
  fetch(`${url}/webhooks/whatsapp`, { method: 'POST', ...whatsappText(phoneNumberId, from, text) });

/**
 * Messages at `rate` a second spread over the groups' conversations (one each, opened before):
 * webhook received → the message's post in its Teams thread.
 */
export async function e2ePhase(
  ctx: PhaseContext,
  groups: { phoneNumberId: string; customer: string }[],
  rate: number,
  durationMs: number,
): Promise<E2ePhase> {
  ctx.log(`teams e2e: ${rate}/s over ${groups.length} channels for ${durationMs / 1000} s`);
  const sentAt = new Map<string, number>();
  const from = Date.now();
  const acks = await openLoop(rate, durationMs, (i) => {
    const g = groups[i % groups.length]!;
    const token = `tm-in-${rate}-${i}-x`;
    sentAt.set(token, performance.timeOrigin + performance.now());
    return webhook(ctx.parleyUrl, g.phoneNumberId, g.customer, token);
  });
  const loadEnd = Date.now();
  await wait(ctx.drainMs);
  // Header counts yield to posts and may still be catching up: wait for them (as long again at most).
  for (let i = 0; i < ctx.drainMs / 1_000; i++) {
    const h = headersCurrent(ctx.teams.latest, await unrepliedCounts(ctx.databaseUrl));
    if (h.current === h.headers) break;
    await wait(1_000);
  }
  const end = Date.now();
  const posts = (await readItemPosts(ctx.databaseUrl, ctx.teams.posts)).filter((p) =>
    p.items.some((i) => sentAt.has(i.text)),
  );
  const latency: number[] = [];
  const seen = new Map<string, number>();
  for (const p of posts)
    for (const item of p.items) {
      seen.set(item.text, (seen.get(item.text) ?? 0) + 1);
      if (seen.get(item.text) === 1) latency.push(p.at - sentAt.get(item.text)!);
    }
  const headers = headersCurrent(ctx.teams.latest, await unrepliedCounts(ctx.databaseUrl));
  return {
    ratePerSecond: rate,
    messages: acks.sent,
    posted: latency.length,
    duplicated: [...seen.values()].filter((n) => n > 1).length,
    latencyMs: percentiles(latency),
    webhookAckMs: acks.latency,
    posts: posts.length,
    headersCurrent: `${headers.current}/${headers.headers}`,
    headersSettledMs: lastUpdate(ctx.teams, loadEnd, end) - loadEnd,
    requestsUnderLoad: requestsBetween(ctx.teams.requests, from, loadEnd),
    requests: requestsBetween(ctx.teams.requests, from, end),
  };
}

/** When the last activity update (a header redrawn) in [from, to) was taken; `from` when none. */
function lastUpdate(teams: FakeTeams, from: number, to: number): number {
  const updates = teams.requests.filter((r) => r.kind === 'update' && r.status === 200);
  return Math.max(from, ...updates.map((r) => r.at).filter((at) => at >= from && at < to));
}

/** One customer writing `rate` messages a second into one conversation: one hot Teams thread. */
export async function hotPhase(
  ctx: PhaseContext,
  phoneNumberId: string,
  rate: number,
  durationMs: number,
): Promise<HotPhase> {
  ctx.log(`teams hot post: ${rate}/s into one conversation for ${durationMs / 1000} s`);
  const sent = new Map<string, { at: number; i: number }>();
  const from = Date.now();
  const acks = await openLoop(rate, durationMs, (i) => {
    const token = `tm-hot-${i}-x`;
    sent.set(token, { at: Date.now(), i });
    return webhook(ctx.parleyUrl, phoneNumberId, '18889999999', token);
  });
  await wait(ctx.drainMs);
  const end = Date.now();
  const posts = (await readItemPosts(ctx.databaseUrl, ctx.teams.posts)).filter((p) =>
    p.items.some((item) => sent.has(item.text)),
  );
  const seen = new Map<string, number>();
  const lag: number[] = [];
  // Shown in Parley's order (the timeline's seq)? And in the order the webhooks were sent?
  const seqs: number[] = [];
  const sentOrder: number[] = [];
  for (const p of posts)
    for (const item of p.items) {
      seen.set(item.text, (seen.get(item.text) ?? 0) + 1);
      if (seen.get(item.text)! > 1) continue;
      lag.push(p.at - sent.get(item.text)!.at);
      seqs.push(item.seq);
      sentOrder.push(sent.get(item.text)!.i);
    }
  const headers = headersCurrent(ctx.teams.latest, await unrepliedCounts(ctx.databaseUrl));
  return {
    messages: acks.ok,
    lost: [...sent.keys()].filter((t) => !seen.has(t)).length,
    duplicated: [...seen.values()].filter((n) => n > 1).length,
    outOfOrder: seqs.some((v, i) => i > 0 && v < seqs[i - 1]!),
    sentOrderInversions: sentOrder.filter((v, i) => i > 0 && v < sentOrder[i - 1]!).length,
    lagMs: percentiles(lag),
    posts: posts.length,
    headersCurrent: `${headers.current}/${headers.headers}`,
    requests: requestsBetween(ctx.teams.requests, from, end),
  };
}
