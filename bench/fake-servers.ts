import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Small HTTP servers of ours standing in for Slack's Web API and Meta's Graph API in benchmarks
 * (separate processes talk to them over loopback). They record what arrived and when, and can
 * pace posts per channel the way Slack does (a burst, then one per second, 429 + Retry-After).
 */

export interface SlackPostRecord {
  channel: string;
  ts: string;
  threadTs: string | null;
  text: string;
  messageIds: string[];
  at: number;
}

export interface FakeSlackOptions {
  /** Posts allowed per channel per second (Slack: about 1), with `burst` extra at once. */
  postsPerSecond?: number;
  burst?: number;
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('json')) return raw ? JSON.parse(raw) : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
  return out;
}

const json = (res: ServerResponse, status: number, data: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(data));
};

async function listen(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

export async function startFakeSlack(opts: FakeSlackOptions = {}) {
  const posts: SlackPostRecord[] = [];
  const counts = new Map<string, number>();
  /** Per channel: when the next post is allowed (GCRA), and until when a Retry-After holds. */
  const pace = new Map<string, number>();
  const holds = new Map<string, number>();
  let callsDuringHold = 0;
  let rateLimited = 0;
  let seq = 0;
  const interval = opts.postsPerSecond ? 1000 / opts.postsPerSecond : 0;
  const burst = opts.burst ?? 3;

  const server = createServer(async (req, res) => {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const a = await body(req);
    counts.set(method, (counts.get(method) ?? 0) + 1);
    const now = Date.now();
    const channel = typeof a.channel === 'string' ? a.channel : null;
    if (method === 'chat.postMessage' && channel && interval > 0) {
      if ((holds.get(channel) ?? 0) > now) callsDuringHold++;
      const tat = Math.max(pace.get(channel) ?? 0, now);
      if (tat - now > burst * interval) {
        const retryAfter = Math.ceil((tat - now - burst * interval) / 1000) || 1;
        holds.set(channel, now + retryAfter * 1000);
        rateLimited++;
        return json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(retryAfter) });
      }
      pace.set(channel, tat + interval);
    }
    switch (method) {
      case 'auth.test':
        return json(res, 200, {
          ok: true,
          user_id: 'U_PARLEY',
          bot_id: 'B_PARLEY',
          url: 'https://bench.slack.com/',
          team_id: 'T1',
        });
      case 'chat.postMessage': {
        const ts = `${Math.floor(now / 1000)}.${String(++seq).padStart(6, '0')}`;
        const meta = a.metadata as { event_payload?: { message_ids?: string[] } } | undefined;
        posts.push({
          channel: String(channel),
          ts,
          threadTs: a.thread_ts ? String(a.thread_ts) : null,
          text: String(a.text ?? ''),
          messageIds: meta?.event_payload?.message_ids ?? [],
          at: now,
        });
        return json(res, 200, { ok: true, channel, ts });
      }
      case 'conversations.open':
        return json(res, 200, { ok: true, channel: { id: `D_${String(a.users)}` } });
      case 'conversations.replies':
        return json(res, 200, { ok: true, messages: [], response_metadata: { next_cursor: '' } });
      case 'users.info':
        return json(res, 200, { ok: true, user: { id: a.user, profile: {} } });
      case 'reactions.get':
        return json(res, 200, { ok: true, message: { reactions: [] } });
      default:
        return json(res, 200, { ok: true });
    }
  });
  const l = await listen(server);
  return {
    apiUrl: `${l.url}/api/`,
    posts,
    counts,
    stats: () => ({ callsDuringHold, rateLimited }),
    close: l.close,
  };
}

export interface GraphSendRecord {
  to: string;
  text: string;
  at: number;
  /** The wamid Meta answered with (none when the send was refused). */
  id?: string;
  /** Parley's id echoed back in status callbacks. */
  callback?: string;
}

/** How the fake Graph API misbehaves for a while: Meta's throttle (429 + Retry-After), a 500, or no answer at all. */
export type GraphFault = '429' | '500' | 'hang';

export async function startFakeGraph() {
  const sends: GraphSendRecord[] = [];
  let seq = 0;
  let delayNext = 0;
  let fault: { kind: GraphFault; until: number } | null = null;
  /** Sends refused or left unanswered by a fault (they did not reach the customer, but for 'hang'). */
  const faulted: { kind: GraphFault; text: string; at: number }[] = [];
  const server = createServer(async (req, res) => {
    const a = await body(req);
    if (req.method === 'POST' && /\/messages$/.test(req.url ?? '')) {
      const text = (a.text as { body?: string } | undefined)?.body ?? '';
      if (fault && fault.until > Date.now()) {
        faulted.push({ kind: fault.kind, text, at: Date.now() });
        if (fault.kind === '429')
          return json(
            res,
            429,
            { error: { message: 'Rate limit hit', type: 'OAuthException', code: 130429 } },
            { 'retry-after': '2' },
          );
        if (fault.kind === '500')
          return json(res, 500, { error: { message: 'Service unavailable', code: 2 } });
        // Meta took it (the customer gets it) but the answer never comes: Parley's request times out.
        sends.push({
          to: String(a.to),
          text,
          at: Date.now(),
          id: `wamid.hung${++seq}`,
          callback: a.biz_opaque_callback_data as string | undefined,
        });
        return;
      }
      const record: GraphSendRecord = {
        to: String(a.to),
        text,
        at: Date.now(),
        id: `wamid.bench${++seq}`,
        callback: a.biz_opaque_callback_data as string | undefined,
      };
      sends.push(record);
      // Meta has taken the message; the answer comes late (a worker may die meanwhile).
      if (delayNext > 0) {
        const ms = delayNext;
        delayNext = 0;
        await new Promise((r) => setTimeout(r, ms));
      }
      return json(res, 200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: a.to, wa_id: a.to }],
        messages: [{ id: record.id }],
      });
    }
    return json(res, 404, { error: { message: 'unknown', code: 100 } });
  });
  const l = await listen(server);
  return {
    apiUrl: `${l.url}/v23.0`,
    sends,
    faulted,
    /** Every send for the next `ms` meets `kind`. */
    failFor: (kind: GraphFault, ms: number) => {
      fault = { kind, until: Date.now() + ms };
    },
    /** The next send is accepted but answered only after `ms`. */
    delayNextSend: (ms: number) => {
      delayNext = ms;
    },
    close: l.close,
  };
}
