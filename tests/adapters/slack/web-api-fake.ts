import { delay, HttpResponse, http } from 'msw';

/**
 * An in-memory Slack workspace behind the Web API (msw): channels with messages, threads, metadata,
 * reactions and file uploads, as Slack would show them. Every call is recorded; a test can make the
 * next call of a method fail the ways Slack does (429, ok:false, no answer after accepting).
 */
export const SLACK_API_URL = 'https://slack.test/api/';
export const BOT = { userId: 'UBOT', botId: 'BBOT', teamUrl: 'https://parley-test.slack.com/' };
export const BOT_TOKEN = 'xoxb-test-bot';
export const ADMIN_TOKEN = 'xoxp-test-admin';
const UPLOAD_URL = 'https://files.slack.test/upload/';

export interface FakeMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  username?: string;
  icon_emoji?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  user?: string;
  bot_id?: string;
  files?: { id: string; title?: string }[];
  reactions: Map<string, Set<string>>;
}

export interface Call {
  method: string;
  args: Record<string, unknown>;
  token: string;
}

export type Failure =
  | { kind: '429'; retryAfter?: number }
  | { kind: 'ratelimited' }
  | { kind: 'error'; error: string }
  | { kind: '500' }
  /** Slack carries the call out, then the connection drops before the answer. */
  | { kind: 'accept-then-drop' }
  /** Slack carries the call out and answers too late. */
  | { kind: 'accept-then-stall' }
  /** The connection drops before Slack saw anything. */
  | { kind: 'drop' };

const BOOLEAN_ARGS = new Set(['unfurl_links', 'unfurl_media', 'link_names', 'include_all_metadata', 'full']);

function parseArgs(raw: string): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if (BOOLEAN_ARGS.has(k)) args[k] = v === 'true';
    else if (/^[[{]/.test(v)) {
      try {
        args[k] = JSON.parse(v);
      } catch {
        args[k] = v;
      }
    } else args[k] = v;
  }
  return args;
}

export function slackFake() {
  const calls: Call[] = [];
  const messages: FakeMessage[] = [];
  const uploads = new Map<string, { filename: string; length: number; bytes?: Uint8Array }>();
  const failures: { method: string; failure: Failure; when?: (args: Record<string, unknown>) => boolean }[] =
    [];
  let lastMicros = 0;
  let fileCounter = 0;
  const fake = { calls, messages, uploads, pageSize: 200 };

  const nextTs = () => {
    lastMicros = Math.max(Date.now() * 1000, lastMicros + 1);
    return `${Math.floor(lastMicros / 1e6)}.${String(lastMicros % 1e6).padStart(6, '0')}`;
  };
  const find = (channel: unknown, ts: unknown) => messages.find((m) => m.channel === channel && m.ts === ts);
  const ok = (body: Record<string, unknown> = {}) => HttpResponse.json({ ok: true, ...body });
  const err = (error: string) => HttpResponse.json({ ok: false, error });
  const identityOf = (token: string) => (token === ADMIN_TOKEN ? 'UADMIN' : BOT.userId);
  const shown = (m: FakeMessage, withMetadata: boolean) => ({
    ts: m.ts,
    thread_ts: m.thread_ts,
    text: m.text,
    user: m.user,
    bot_id: m.bot_id,
    files: m.files,
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
  });

  const methods: Record<string, (a: Record<string, unknown>, token: string) => Response | Promise<Response>> =
    {
      'auth.test': () => ok({ url: BOT.teamUrl, team_id: 'T1', user_id: BOT.userId, bot_id: BOT.botId }),
      'chat.postMessage': (a) => {
        const m: FakeMessage = {
          channel: String(a.channel),
          ts: nextTs(),
          thread_ts: a.thread_ts as string | undefined,
          text: String(a.text ?? ''),
          blocks: a.blocks as unknown[] | undefined,
          username: a.username as string | undefined,
          icon_emoji: a.icon_emoji as string | undefined,
          metadata: a.metadata as FakeMessage['metadata'],
          user: BOT.userId,
          bot_id: BOT.botId,
          reactions: new Map(),
        };
        messages.push(m);
        return ok({ channel: m.channel, ts: m.ts, message: shown(m, false) });
      },
      'chat.update': (a) => {
        const m = find(a.channel, a.ts);
        if (!m) return err('message_not_found');
        m.text = String(a.text ?? '');
        m.blocks = a.blocks as unknown[] | undefined;
        return ok({ channel: m.channel, ts: m.ts });
      },
      'chat.delete': (a, token) => {
        const m = find(a.channel, a.ts);
        if (!m) return err('message_not_found');
        if (m.user !== identityOf(token) && token !== ADMIN_TOKEN) return err('cant_delete_message');
        messages.splice(messages.indexOf(m), 1);
        return ok({ channel: m.channel, ts: m.ts });
      },
      'conversations.open': (a) => ok({ channel: { id: `D${String(a.users)}` } }),
      'conversations.replies': (a) => {
        const parent = find(a.channel, a.ts);
        if (!parent) return err('thread_not_found');
        const oldest = a.oldest ? Number(a.oldest) : 0;
        const all = messages.filter(
          (m) =>
            m.channel === a.channel && (m === parent || (m.thread_ts === a.ts && Number(m.ts) >= oldest)),
        );
        const size = Math.min(Number(a.limit ?? 200), fake.pageSize);
        const start = Number(a.cursor ?? 0);
        const next = start + size < all.length ? String(start + size) : '';
        return ok({
          messages: all.slice(start, start + size).map((m) => shown(m, a.include_all_metadata === true)),
          has_more: next !== '',
          response_metadata: { next_cursor: next },
        });
      },
      'reactions.add': (a, token) => {
        const m = find(a.channel, a.timestamp);
        if (!m) return err('message_not_found');
        const users = m.reactions.get(String(a.name)) ?? new Set();
        if (users.has(identityOf(token))) return err('already_reacted');
        m.reactions.set(String(a.name), users.add(identityOf(token)));
        return ok();
      },
      'reactions.remove': (a, token) => {
        const m = find(a.channel, a.timestamp);
        const users = m?.reactions.get(String(a.name));
        if (!users?.delete(identityOf(token))) return err('no_reaction');
        if (users.size === 0) m!.reactions.delete(String(a.name));
        return ok();
      },
      'reactions.get': (a) => {
        const m = find(a.channel, a.timestamp);
        if (!m) return err('message_not_found');
        const reactions = [...m.reactions].map(([name, users]) => ({
          name,
          users: [...users],
          count: users.size,
        }));
        return ok({ type: 'message', message: { ...shown(m, false), reactions } });
      },
      'files.getUploadURLExternal': (a) => {
        const id = `F${++fileCounter}`;
        uploads.set(id, { filename: String(a.filename), length: Number(a.length) });
        return ok({ upload_url: `${UPLOAD_URL}${id}`, file_id: id });
      },
      'files.completeUploadExternal': (a) => {
        const files = a.files as { id: string; title?: string }[];
        if (files.some((f) => !uploads.get(f.id)?.bytes)) return err('file_not_found');
        messages.push({
          channel: String(a.channel_id),
          ts: nextTs(),
          thread_ts: a.thread_ts as string | undefined,
          text: String(a.initial_comment ?? ''),
          user: BOT.userId,
          files,
          reactions: new Map(),
        });
        return ok({ files });
      },
      'views.publish': () => ok({ view: { id: 'V1' } }),
    };

  const handlers = [
    http.post(`${SLACK_API_URL}:method`, async ({ request, params }) => {
      const method = String(params.method);
      const token = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
      const args = parseArgs(await request.text());
      calls.push({ method, args, token });
      const i = failures.findIndex((f) => f.method === method && (!f.when || f.when(args)));
      const failure = i >= 0 ? failures.splice(i, 1)[0]!.failure : null;
      const handler = methods[method];
      if (!handler) return err('unknown_method');
      switch (failure?.kind) {
        case '429':
          return new HttpResponse(null, {
            status: 429,
            headers: failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {},
          });
        case 'ratelimited':
          return err('ratelimited');
        case 'error':
          return err(failure.error);
        case '500':
          return new HttpResponse('oops', { status: 500 });
        case 'drop':
          return HttpResponse.error();
        case 'accept-then-drop':
          await handler(args, token);
          return HttpResponse.error();
        case 'accept-then-stall':
          await handler(args, token);
          await delay('infinite');
          return HttpResponse.error();
      }
      return handler(args, token);
    }),
    http.post(`${UPLOAD_URL}:id`, async ({ request, params }) => {
      const upload = uploads.get(String(params.id));
      if (!upload) return new HttpResponse(null, { status: 404 });
      upload.bytes = new Uint8Array(await request.arrayBuffer());
      return new HttpResponse('OK - 200');
    }),
  ];

  return {
    ...fake,
    handlers,
    /** The next call of `method` (matching `when`) fails this way. */
    failNext(method: string, failure: Failure, when?: (args: Record<string, unknown>) => boolean) {
      failures.push({ method, failure, when });
    },
    /** A person writes in a thread. */
    humanPost(channel: string, threadTs: string, user: string, text: string): FakeMessage {
      const m: FakeMessage = { channel, ts: nextTs(), thread_ts: threadTs, text, user, reactions: new Map() };
      messages.push(m);
      return m;
    },
    /** The thread as people see it: the header first, then replies in order. */
    thread(channel: string, ts: string): FakeMessage[] {
      return messages.filter((m) => m.channel === channel && (m.ts === ts || m.thread_ts === ts));
    },
    callsOf(method: string): Call[] {
      return calls.filter((c) => c.method === method);
    },
    /** Everything in a message a person can read (text, blocks, author name). */
    visible(m: FakeMessage): string {
      return JSON.stringify([m.text, m.blocks ?? [], m.username ?? '', m.files ?? []]);
    },
    /** How many messages a conversations.replies page holds (Slack's pages can be smaller than asked). */
    setPageSize(n: number) {
      fake.pageSize = n;
    },
    reset() {
      fake.pageSize = 200;
      calls.length = 0;
      failures.length = 0;
    },
  };
}

export type SlackFake = ReturnType<typeof slackFake>;
