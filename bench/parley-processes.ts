import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Redis } from 'ioredis';
import pg from 'pg';
import { migrateDatabase } from '../src/cli/migrations.ts';
import { Account, ChannelEndpoint, Group, User } from '../src/db/entities/index.ts';
import { createOrm } from '../src/db/orm.ts';

/**
 * `parley web` and `parley worker` as separate processes, as they run in production, on a
 * benchmark database and Redis prefix of their own, against our fake Slack and Graph servers.
 */
export const PG = 'postgres://postgres@127.0.0.1:5432';
export const SECRETS = {
  WHATSAPP_APP_SECRET: 'bench-whatsapp-app-secret',
  WHATSAPP_ACCESS_TOKEN: 'bench-graph-token',
  WHATSAPP_VERIFY_TOKEN: 'bench-verify',
  SLACK_SIGNING_SECRET: 'bench-slack-signing-secret',
  SLACK_BOT_TOKEN: 'xoxb-bench',
};

export async function freshDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: `${PG}/postgres` });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = `${PG}/${name}`;
  await migrateDatabase(url);
  return url;
}

export async function flushRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis('redis://127.0.0.1:6379');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

/** One group per Slack channel, each with its WhatsApp number and one agent linked to Slack. */
export async function seedGroups(databaseUrl: string, groups: number) {
  const orm = await createOrm({ databaseUrl, poolMax: 2 });
  const em = orm.em.fork() as EntityManager;
  const account = em.create(Account, { name: 'Bench' });
  const out: { groupId: string; channel: string; phoneNumberId: string; agentSlackId: string }[] = [];
  for (let i = 0; i < groups; i++) {
    const group = em.create(Group, { account, name: `G${i}`, slackChannelId: `C_G${i}` });
    em.create(ChannelEndpoint, {
      account,
      group,
      channel: 'whatsapp',
      address: `PNID_G${i}`,
      name: `G${i} WA`,
    });
    await em.flush();
    em.create(User, {
      account,
      name: `Agent ${i}`,
      email: `agent${i}@bench.test`,
      role: 'agent',
      groupIds: [group.id],
      slackUserId: `U_G${i}`,
    });
    out.push({ groupId: group.id, channel: `C_G${i}`, phoneNumberId: `PNID_G${i}`, agentSlackId: `U_G${i}` });
  }
  await em.flush();
  await orm.close(true);
  return out;
}

export interface RunningParley {
  url: string;
  web: ChildProcess;
  worker: ChildProcess;
  /** The environment both processes got (to start one of them again the same way). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** Node's flags for Parley, as `npm start`, `npx parley` and the image give them (bench/README.md, "Memory"). */
export const PARLEY_NODE_FLAGS = ['--heap-growing-percent=25'];
/** The NODE_OPTIONS `npm start`, `npx parley` and the image start Parley with. */
export const PARLEY_NODE_OPTIONS = '--max-semi-space-size=16';

export function startRole(role: 'web' | 'worker', env: Record<string, string>): ChildProcess {
  // BENCH_WEB_NODE_OPTIONS / BENCH_WORKER_NODE_OPTIONS: Node flags for one role only (a heap
  // snapshot signal, a profiler, bench/memory-probe.ts), added to any NODE_OPTIONS already set.
  const roleNodeOptions = process.env[`BENCH_${role.toUpperCase()}_NODE_OPTIONS`];
  // Parley's own first, as `npm start` puts them in front of the user's (every benchmark, not only memory).
  const nodeOptions = [PARLEY_NODE_OPTIONS, env.NODE_OPTIONS ?? process.env.NODE_OPTIONS, roleNodeOptions]
    .filter(Boolean)
    .join(' ');
  // BENCH_WEB_V8_FLAGS / BENCH_WORKER_V8_FLAGS: V8 flags NODE_OPTIONS refuses (--trace-gc-nvp), after Parley's own.
  const extra = (process.env[`BENCH_${role.toUpperCase()}_V8_FLAGS`] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...PARLEY_NODE_FLAGS, ...extra, 'src/main.ts', role], {
    env: { ...process.env, ...env, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Logs (pino, JSON lines on stdout) at LOG_LEVEL=warn and anything on stderr are shown.
  child.stdout?.on('data', (d: Buffer) => process.stderr.write(`[${role}] ${d}`));
  child.stderr?.on('data', (d: Buffer) => process.stderr.write(`[${role}] ${d}`));
  return child;
}

export async function startParley(opts: {
  databaseUrl: string;
  prefix: string;
  port: number;
  slackApiUrl: string;
  graphApiUrl: string;
  env?: Record<string, string>;
  /** Settings for one process only (e.g. the worker's WORKER_CONCURRENCY), over `env`. */
  roleEnv?: Partial<Record<'web' | 'worker', Record<string, string>>>;
}): Promise<RunningParley> {
  const env = {
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_PREFIX: opts.prefix,
    PORT: String(opts.port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${opts.port}`,
    LOG_LEVEL: 'warn',
    SLACK_API_URL: opts.slackApiUrl,
    WHATSAPP_API_URL: opts.graphApiUrl,
    ...SECRETS,
    ...opts.env,
  };
  return startWith(env, opts.port, opts.roleEnv);
}

/** The environment `startParley` gives both processes (chaos restarts a role with it). */
export type ParleyEnv = Record<string, string>;

async function startWith(
  env: ParleyEnv,
  port: number,
  roleEnv: Partial<Record<'web' | 'worker', ParleyEnv>> = {},
): Promise<RunningParley> {
  const web = startRole('web', { ...env, ...roleEnv.web });
  const worker = startRole('worker', { ...env, ...roleEnv.worker });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (i > 200) throw new Error('parley web did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  const running: RunningParley = {
    url,
    web,
    worker,
    env,
    // The processes running now (a benchmark may have replaced the worker).
    stop: async () => {
      const procs = [running.web, running.worker];
      for (const p of procs) p.kill('SIGTERM');
      await Promise.all(
        procs.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('exit', r)))),
      );
    },
  };
  return running;
}

/** utime + stime of a process in ms (Linux clock ticks are 10 ms). */
export async function cpuMs(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The machine's CPU time so far, busy and total over all cores, in clock ticks (Linux /proc/stat). */
export async function machineTicks(): Promise<{ busy: number; total: number }> {
  const { readFile } = await import('node:fs/promises');
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const n = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  // idle + iowait are the time no process wanted the core.
  return { busy: total - n[3]! - n[4]!, total };
}

/** VmRSS of a process in MiB (Linux). */
export async function rssMiB(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

/** A signed WhatsApp webhook, as Meta sends it, carrying one `value` for a phone number. */
function signedWhatsApp(phoneNumberId: string, value: Record<string, unknown>) {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'WABA',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000000', phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  });
  const sig = createHmac('sha256', SECRETS.WHATSAPP_APP_SECRET).update(body).digest('hex');
  return { body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${sig}` } };
}

const unixNow = () => String(Math.floor(Date.now() / 1000));
let wamidSeq = 0;

/** A signed WhatsApp text webhook from a customer. */
export function whatsappText(phoneNumberId: string, from: string, text: string) {
  return signedWhatsApp(phoneNumberId, {
    contacts: [{ profile: { name: `Customer ${from}` }, wa_id: from }],
    messages: [
      {
        from,
        id: `wamid.in.${process.pid}.${++wamidSeq}.${Date.now()}`,
        timestamp: unixNow(),
        type: 'text',
        text: { body: text },
      },
    ],
  });
}

/** A signed WhatsApp status callback (sent, delivered, read) for a message Parley sent. */
export function whatsappStatus(
  phoneNumberId: string,
  wamid: string,
  state: string,
  recipient: string,
  callback?: string,
) {
  return signedWhatsApp(phoneNumberId, {
    statuses: [
      {
        id: wamid,
        status: state,
        timestamp: unixNow(),
        recipient_id: recipient,
        ...(callback ? { biz_opaque_callback_data: callback } : {}),
      },
    ],
  });
}

/** A signed Slack `message` event: an agent's reply in a thread. */
export function slackReplyEvent(channel: string, user: string, threadTs: string, text: string, ts: string) {
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: 'T1',
    api_app_id: 'A1',
    event_id: `Ev${ts.replace('.', '')}${user}`,
    event: { type: 'message', channel, channel_type: 'channel', user, text, ts, thread_ts: threadTs },
  });
  const at = Math.floor(Date.now() / 1000);
  const sig = createHmac('sha256', SECRETS.SLACK_SIGNING_SECRET).update(`v0:${at}:${body}`).digest('hex');
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(at),
      'x-slack-signature': `v0=${sig}`,
    },
  };
}
