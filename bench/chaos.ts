import { execSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { startFakeGraph, startFakeSlack } from './fake-servers.ts';
import {
  flushRedisPrefix,
  freshDatabase,
  seedGroups,
  slackReplyEvent,
  startParley,
  startRole,
  whatsappText,
} from './parley-processes.ts';

/**
 * `npm run chaos`: steady customer messages and agent replies while the machine fails under
 * Parley — Redis restarted without persistence, PostgreSQL restarted, the worker killed with
 * SIGKILL while a send is accepted by the provider but not yet committed — then counts what was
 * lost or doubled and how long each recovery took. Needs to restart the local Redis and
 * PostgreSQL: run it on a machine of its own (CI does not run it).
 */
const LOAD_MS = 60_000;
const RATE = 10;
const DRAIN_MS = 100_000;
const REDIS_START =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log';

const log = (line: string) => process.stdout.write(`${line}\n`);
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sh = (cmd: string) => execSync(cmd, { stdio: 'ignore' });

const databaseUrl = await freshDatabase('parley_chaos');
const groups = await seedGroups(databaseUrl, 5);
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
const start = Date.now();
let i = 0;
const load = (async () => {
  while (Date.now() - start < LOAD_MS) {
    const n = i++;
    const g = groups[n % groups.length]!;
    const token = `chaos-in-${n}-x`;
    void fetch(`${parley.url}/webhooks/whatsapp`, {
      method: 'POST',
      ...whatsappText(g.phoneNumberId, `1555090000${n % groups.length}`, token),
    })
      .then((r) => answered.push({ token, status: r.status, at: Date.now() }))
      .catch(() => answered.push({ token, status: 0, at: Date.now() }));
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

await wait(10_000);
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

await load;
log(`load done; draining ${DRAIN_MS / 1000} s (an interrupted send's lease is 60 s)`);
await wait(DRAIN_MS);

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
await db.end();

const postedCount = new Map<string, number>();
for (const p of slack.posts)
  for (const m of p.text.matchAll(/chaos-in-\d+-x/g)) postedCount.set(m[0], (postedCount.get(m[0]) ?? 0) + 1);
const sentCount = new Map<string, number>();
for (const s of graph.sends) sentCount.set(s.text, (sentCount.get(s.text) ?? 0) + 1);
const ok = answered.filter((a) => a.status >= 200 && a.status < 300);
const okReplies = replies.filter((a) => a.status >= 200 && a.status < 300);
const recovery = faults.map((f) => {
  const firstAfter = slack.posts
    .filter((p) => p.at > f.at && /chaos-in-/.test(p.text))
    .map((p) => p.at)
    .sort((a, b) => a - b)[0];
  return { fault: f.name, msToNextSlackPost: firstAfter ? firstAfter - f.at : null };
});
const result = {
  webhooks: { sent: answered.length, answered2xx: ok.length, refused: answered.length - ok.length },
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
  duplicateDeliveriesToCustomers: [...sentCount.entries()].filter(
    ([t, n]) => t.startsWith('chaos-out-') && n > 1,
  ).length,
  recovery,
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
