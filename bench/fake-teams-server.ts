import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP server of ours standing in for Microsoft's Entra token endpoint and the Teams Bot
 * Connector in benchmarks (Parley's processes reach it over loopback). It keeps Teams' limits for
 * a bot: per thread 7 posts a second, 8 per 2 s, 60 per 30 s, 1,800 an hour; 50 requests a
 * second for the app. Over a limit it answers 429 without Retry-After, as Teams often does. It
 * counts every request by kind, so a benchmark can say where Teams' budget went.
 */

export interface TeamsPostRecord {
  /** The channel (`19:…`) or the personal chat. */
  channel: string;
  /** The root post's id for a reply in a post's thread; null for a new post. */
  root: string | null;
  id: string;
  /** The activity as sent (JSON), where a benchmark finds its tokens. */
  body: string;
  at: number;
}

/** What a request to the Bot Connector was: a new post, a reply in a post's thread, an update... */
export type TeamsRequestKind = 'root' | 'reply' | 'update' | 'delete' | 'conversation' | 'other';

export interface TeamsRequestRecord {
  kind: TeamsRequestKind;
  at: number;
  status: number;
  /** The limit a 429 was for. */
  limit?: string;
}

interface Window {
  name: string;
  limit: number;
  ms: number;
}

const THREAD_WINDOWS: Window[] = [
  { name: '1s', limit: 7, ms: 1_000 },
  { name: '2s', limit: 8, ms: 2_000 },
  { name: '30s', limit: 60, ms: 30_000 },
  { name: '1h', limit: 1_800, ms: 3_600_000 },
];
const APP_WINDOW: Window = { name: 'app', limit: 50, ms: 1_000 };

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const json = (res: ServerResponse, status: number, data: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(data));
};

/**
 * Sliding logs of request times: the window a request would break (`limit` requests already in
 * the `ms` before it), or null.
 */
function overLimit(log: number[], now: number, windows: Window[]): string | null {
  const longest = Math.max(...windows.map((w) => w.ms));
  while (log.length && log[0]! <= now - longest) log.shift();
  return windows.find((w) => log.filter((t) => t > now - w.ms).length >= w.limit)?.name ?? null;
}

function kindOf(method: string | undefined, url: string): TeamsRequestKind {
  const a = /^\/teams\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(url);
  if (a && method === 'POST' && !a[2]) return a[1]!.includes(';messageid=') ? 'reply' : 'root';
  if (a && method === 'PUT') return 'update';
  if (a && method === 'DELETE') return 'delete';
  if (method === 'POST' && url === '/teams/v3/conversations') return 'conversation';
  return 'other';
}

export async function startFakeTeams() {
  const posts: TeamsPostRecord[] = [];
  const requests: TeamsRequestRecord[] = [];
  const threadLogs = new Map<string, number[]>();
  const appLog: number[] = [];
  /** Each activity as last drawn (its post, then its updates), by id. */
  const latest = new Map<string, string>();
  let tokens = 0;
  let seq = 0;

  const server = createServer(async (req, res) => {
    const url = decodeURIComponent((req.url ?? '').split('?')[0]!);
    const raw = await readBody(req);
    const now = Date.now();
    if (req.method === 'POST' && /\/oauth2\/v2\.0\/token$/.test(url)) {
      tokens++;
      return json(res, 200, {
        token_type: 'Bearer',
        expires_in: 3600,
        access_token: `bench-token-${tokens}`,
      });
    }
    if (!url.startsWith('/teams/v3/')) return json(res, 404, { error: { code: 'NotFound', message: url } });
    const kind = kindOf(req.method, url);
    const answer = (status: number, data: unknown, limit?: string) => {
      requests.push({ kind, at: now, status, ...(limit ? { limit } : {}) });
      json(res, status, data);
    };
    const appOver = overLimit(appLog, now, [APP_WINDOW]);
    if (appOver) return answer(429, { error: { code: 'TooManyRequests', message: 'app' } }, appOver);
    appLog.push(now);
    const conversation = /^\/teams\/v3\/conversations\/([^/]+)\/activities/.exec(url)?.[1];
    if ((kind === 'root' || kind === 'reply') && conversation) {
      const log = threadLogs.get(conversation) ?? [];
      threadLogs.set(conversation, log);
      const over = overLimit(log, now, THREAD_WINDOWS);
      if (over) return answer(429, { error: { code: 'TooManyRequests', message: 'thread' } }, over);
      log.push(now);
      const [channel, root] = conversation.split(';messageid=');
      const id = `${now}${String(++seq).padStart(6, '0')}`;
      posts.push({ channel: channel!, root: root ?? null, id, body: raw, at: now });
      latest.set(id, raw);
      return answer(201, { id });
    }
    const activityId = /\/activities\/([^/]+)$/.exec(url)?.[1];
    if (kind === 'update' && activityId) latest.set(activityId, raw);
    if (kind === 'delete' && activityId) latest.delete(activityId);
    if (kind === 'update' || kind === 'delete') return answer(200, {});
    if (kind === 'conversation') {
      const a = JSON.parse(raw || '{}') as { members?: { id?: string }[] };
      return answer(201, { id: `a:personal-${a.members?.[0]?.id ?? 'unknown'}` });
    }
    return answer(404, { error: { code: 'NotFound', message: url } });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    /** TEAMS_SERVICE_URL. */
    serviceUrl: `${base}/teams`,
    /** TEAMS_LOGIN_ENDPOINT. */
    loginEndpoint: base,
    posts,
    requests,
    latest,
    stats: () => ({ rateLimited: requests.filter((r) => r.status === 429).length, tokens }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
