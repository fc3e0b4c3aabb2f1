import { execSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { postBroadcast, seedBroadcastAudience } from './broadcast-audience.ts';
import { startFakeGraph, startFakeSlack } from './fake-servers.ts';
import {
  flushRedisPrefix,
  freshDatabase,
  seedGroups,
  slackReplyEvent,
  startParley,
  startRole,
  whatsappStatus,
  whatsappText,
} from './parley-processes.ts';

/**
 * `npm run chaos`: steady customer messages and agent replies while the machine fails under
 * Parley — Redis restarted without persistence, PostgreSQL restarted, the worker killed with
 * SIGKILL while a send is accepted by the provider but not yet committed, the Graph API answering
 * 429, 500 and nothing at all; webhooks delivered twice at once and again minutes later; status
 * callbacks in reverse order; a broadcast to BROADCAST_RECIPIENTS contacts sending through all of
 * it (R8) — then counts what was lost or doubled and how long each recovery took. Needs to restart the local Redis and
 * PostgreSQL: run it on a machine of its own (CI does not run it).
 */
const LOAD_MS = 60_000;
/** At 80 % of WhatsApp's 80/s, about 45 s of sending: through the Redis, PostgreSQL and worker faults. */
const BROADCAST_RECIPIENTS = Number(process.env.CHAOS_BROADCAST_RECIPIENTS ?? 3_000);
const ADMIN_TOKEN = 'chaos-admin-token-0123456789abcdef';
const RATE = 10;
const DRAIN_MS = 100_000;
const REDIS_START =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log';

const log = (line: string) => process.stdout.write(`${line}\n`);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sh = (cmd: string) => execSync(cmd, { stdio: 'ignore' });

const databaseUrl = await freshDatabase('parley_chaos');
const groups = await seedGroups(databaseUrl, 5);
const { endpointId: broadcastEndpoint } = await seedBroadcastAudience(databaseUrl, groups[0]!.groupId, {
  count: BROADCAST_RECIPIENTS,
  tag: 'chaos',
  prefix: '1666',
});
const slack = await startFakeSlack();
const graph = await startFakeGraph();
const prefix = 'parley-chaos';
await flushRedisPrefix(prefix);
const parley = await startParley({
  databaseUrl,
  prefix,
  port: 3970,
  slackApiUrl: slack.apiUrl,
  graphApiUrl: graph.apiUrl,
  env: { ADMIN_API_TOKEN: ADMIN_TOKEN },
});
let worker = parley.worker;

// One conversation per group, so agents have threads to answer in.
for (const [i, g] of groups.entries()) {
  await fetch(`${parley.url}/webhooks/whatsapp`, {
    method: 'POST',
    ...whatsappText(g.phoneNumberId, `1555090000${i}`, `open ${i}`),
  });
}
await wait(4_000);
const threads = groups.map((g, i) => ({
  ...g,
  ts: slack.posts.find((p) => p.threadTs && p.text.includes(`open ${i}`))?.threadTs ?? '',
}));

const answered: { token: string; status: number; at: number }[] = [];
const replies: { token: string; status: number; at: number }[] = [];
const faults: { name: string; at: number }[] = [];
const early: ReturnType<typeof whatsappText>[] = [];
let webhookRetries = 0;
/** Meta retries a webhook that was not answered 2xx (with back-off, for hours): here every 2 s, 10 times. */
async function deliverLikeMeta(signed: ReturnType<typeof whatsappText>): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const status = await fetch(`${parley.url}/webhooks/whatsapp`, { method: 'POST', ...signed }).then(
      (r) => r.status,
      () => 0,
    );
    if ((status >= 200 && status < 300) || attempt >= 10) return status;
    webhookRetries++;
    await wait(2_000);
  }
}
let duplicatesSent = 0;
const duplicateAnswers: number[] = [];
const start = Date.now();
let i = 0;
const load = (async () => {
  while (Date.now() - start < LOAD_MS) {
    const n = i++;
    const g = groups[n % groups.length]!;
    const token = `chaos-in-${n}-x`;
    const signed = whatsappText(g.phoneNumberId, `1555090000${n % groups.length}`, token);
    if (n < 50) early.push(signed);
    void deliverLikeMeta(signed).then((status) => answered.push({ token, status, at: Date.now() }));
    // Meta delivers some webhooks twice at once.
    if (n % 10 === 5) {
      duplicatesSent++;
      void deliverLikeMeta(signed).then((status) => duplicateAnswers.push(status));
    }
    if (n % 2 === 0) {
      const t = threads[n % threads.length]!;
      const reply = `chaos-out-${n}-x`;
      const ts = `${Math.floor(Date.now() / 1000)}.${String(n).padStart(6, '0')}`;
      void fetch(`${parley.url}/slack/events`, {
        method: 'POST',
        ...slackReplyEvent(t.channel, t.agentSlackId, t.ts, reply, ts),
      })
        .then((r) => replies.push({ token: reply, status: r.status, at: Date.now() }))
        .catch(() => replies.push({ token: reply, status: 0, at: Date.now() }));
    }
    await wait(1000 / RATE);
  }
})();

await wait(5_000);
// CHAOS_BROADCAST_RECIPIENTS=0: the same run without a broadcast, to compare.
const broadcast =
  BROADCAST_RECIPIENTS > 0
    ? await postBroadcast(parley.url, {
        token: ADMIN_TOKEN,
        userEmail: 'agent0@bench.test',
        groupId: groups[0]!.groupId,
        endpointId: broadcastEndpoint,
        tag: 'chaos',
      })
    : { broadcastId: '00000000-0000-0000-0000-000000000000', queued: 0 };
log(`broadcast ${broadcast.broadcastId}: ${broadcast.queued} recipients queued`);

await wait(5_000);
log('fault: Redis restarted without persistence');
faults.push({ name: 'redis restart', at: Date.now() });
sh('redis-cli -p 6379 shutdown nosave || true');
await wait(500);
sh(REDIS_START);

await wait(15_000);
log('fault: PostgreSQL restarted');
faults.push({ name: 'postgres restart', at: Date.now() });
sh('pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main restart');

await wait(15_000);
log('fault: worker killed (SIGKILL) while the provider holds an accepted send');
graph.delayNextSend(3_000);
await wait(300);
faults.push({ name: 'worker SIGKILL mid-send', at: Date.now() });
worker.kill('SIGKILL');
await wait(1_000);
worker = startRole('worker', parley.env);

await wait(6_000);
log('fault: the Graph API answers 429 (Retry-After 2 s) for 3 s, then 500 for 3 s, then nothing for 2 s');
const graphFaultAt = Date.now();
faults.push({ name: 'graph 429, 500, no answer', at: graphFaultAt });
graph.failFor('429', 3_000);
await wait(3_000);
graph.failFor('500', 3_000);
await wait(3_000);
graph.failFor('hang', 2_000);

await load;
log(`load done; draining ${DRAIN_MS / 1000} s (an interrupted send's lease is 60 s)`);
await wait(20_000);
// Meta's status callbacks, each message's in reverse order (read, delivered, sent); the ones
// whose send was never answered carry Parley's id back (biz_opaque_callback_data).
let statusesSent = 0;
for (const s of graph.sends.filter((x) => x.text.startsWith('chaos-out-') && x.id)) {
  const g = groups[Number(s.to.slice(-1))] ?? groups[0]!;
  for (const state of ['read', 'delivered', 'sent']) {
    statusesSent++;
    await fetch(`${parley.url}/webhooks/whatsapp`, {
      method: 'POST',
      ...whatsappStatus(g.phoneNumberId, s.id!, state, s.to, s.callback),
    }).catch(() => {});
  }
}
log(`sent ${statusesSent} status callbacks in reverse order`);
await wait(40_000);
// The first 50 webhooks again, about two minutes after they were first answered.
const replayed = await Promise.all(
  early.map((w) =>
    fetch(`${parley.url}/webhooks/whatsapp`, { method: 'POST', ...w }).then(
      (r) => r.status,
      () => 0,
    ),
  ),
);
log(
  `replayed ${early.length} webhooks minutes apart: ${replayed.filter((x) => x === 200).length} answered 200`,
);
await wait(DRAIN_MS - 60_000);

const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();
const stored = new Map(
  (
    await db.query<{ text: string; n: string }>(
      `select text, count(*) as n from message where text like 'chaos-%' group by text`,
    )
  ).rows.map((r) => [r.text, Number(r.n)]),
);
const states = (
  await db.query<{ state: string; n: string }>(
    `select coalesce(delivery_state, 'none') as state, count(*) as n from message where text like 'chaos-out-%' group by 1`,
  )
).rows;
const broadcastStates = (
  await db.query<{ state: string; n: string }>(
    `select coalesce(m.delivery_state, r.state) as state, count(*) as n
       from broadcast_recipient r left join message m on m.id = r.message_id
      where r.broadcast_id = $1 group by 1`,
    [broadcast.broadcastId],
  )
).rows;
await db.end();

const postedCount = new Map<string, number>();
for (const p of slack.posts)
  for (const m of p.text.matchAll(/chaos-in-\d+-x/g)) postedCount.set(m[0], (postedCount.get(m[0]) ?? 0) + 1);
const sentCount = new Map<string, number>();
for (const s of graph.sends) sentCount.set(s.text, (sentCount.get(s.text) ?? 0) + 1);
// Each broadcast recipient's sends at the fake Graph API (an identity per contact, +1666…).
const broadcastSends = new Map<string, number>();
for (const s of graph.sends)
  if (s.to.startsWith('1666')) broadcastSends.set(s.to, (broadcastSends.get(s.to) ?? 0) + 1);
const ok = answered.filter((a) => a.status >= 200 && a.status < 300);
const okReplies = replies.filter((a) => a.status >= 200 && a.status < 300);
const recovery = faults.map((f) => {
  const firstAfter = slack.posts
    .filter((p) => p.at > f.at && /chaos-in-/.test(p.text))
    .map((p) => p.at)
    .sort((a, b) => a - b)[0];
  return { fault: f.name, msToNextSlackPost: firstAfter ? firstAfter - f.at : null };
});
// For the Graph faults: from the end of the bad 8 s until every reply refused in them reached the customer.
const refused = new Set(graph.faulted.filter((f) => f.kind !== 'hang').map((f) => f.text));
const refusedSentAt = graph.sends.filter((x) => refused.has(x.text)).map((x) => x.at);
const graphRecoveryMs =
  refusedSentAt.length === refused.size ? Math.max(...refusedSentAt) - (graphFaultAt + 8_000) : null;
const result = {
  webhooks: {
    sent: answered.length,
    answered2xx: ok.length,
    refusedAtLast: answered.length - ok.length,
    retriedAfterNon2xx: webhookRetries,
  },
  lostAfter2xx: ok.filter((a) => !stored.has(a.token)).length,
  duplicateMessagesStored: [...stored.values()].filter((n) => n > 1).length,
  notPostedInSlack: ok.filter((a) => !postedCount.has(a.token)).length,
  duplicateSlackPosts: [...postedCount.values()].filter((n) => n > 1).length,
  replies: {
    sent: replies.length,
    answered2xx: okReplies.length,
    states: Object.fromEntries(states.map((s) => [s.state, Number(s.n)])),
  },
  repliesLostAfter2xx: okReplies.filter((r) => !stored.has(r.token)).length,
  repliesNeverReachingCustomer: okReplies.filter((r) => !sentCount.has(r.token)).length,
  webhooksDeliveredTwiceAtOnce: duplicatesSent,
  secondCopiesAnswered2xx: duplicateAnswers.filter((x) => x >= 200 && x < 300).length,
  webhooksReplayedMinutesLater: early.length,
  statusCallbacksInReverseOrder: statusesSent,
  graphFaults: Object.fromEntries(
    (['429', '500', 'hang'] as const).map((k) => [k, graph.faulted.filter((f) => f.kind === k).length]),
  ),
  duplicateDeliveriesToCustomers: [...sentCount.entries()].filter(
    ([t, n]) => t.startsWith('chaos-out-') && n > 1,
  ).length,
  recovery,
  graphRecoveryMs,
  broadcast: {
    recipients: BROADCAST_RECIPIENTS,
    queued: broadcast.queued,
    reachedOnce: [...broadcastSends.values()].filter((n) => n === 1).length,
    reachedTwiceOrMore: [...broadcastSends.values()].filter((n) => n > 1).length,
    neverSent: broadcast.queued - broadcastSends.size,
    recipientStates: Object.fromEntries(broadcastStates.map((s) => [s.state, Number(s.n)])),
  },
};
log(JSON.stringify(result, null, 2));
await mkdir('bench/results', { recursive: true });
await writeFile(
  'bench/results/chaos.json',
  `${JSON.stringify({ at: new Date().toISOString(), result }, null, 2)}\n`,
);
worker.kill('SIGTERM');
await parley.stop().catch(() => {});
await slack.close();
await graph.close();
await flushRedisPrefix(prefix);
process.exit(0);
