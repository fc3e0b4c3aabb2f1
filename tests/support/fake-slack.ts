import { createHmac } from 'node:crypto';
import { delay, HttpResponse, http } from 'msw';

/**
 * A Slack workspace as far as Parley's calls go: the Web API under `SLACK_API_URL` (msw), keeping
 * channels, threads, ephemerals and App Home views the way a person in Slack would see them, and
 * able to answer 429, `ok:false ratelimited`, 500 or time out after accepting a post.
 */
export const SLACK_API_URL = 'https://slack.test/api/';
export const SLACK_SIGNING_SECRET = 'slack-signing-secret-for-tests';
export const SLACK_ENV = {
  SLACK_API_URL,
  SLACK_SIGNING_SECRET,
  SLACK_BOT_TOKEN: 'xoxb-test-token',
};
export const BOT = { userId: 'U_PARLEY', botId: 'B_PARLEY', appId: 'A_PARLEY' };

export interface SlackPost {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  username?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  bot_id?: string;
  user?: string;
  files?: { name: string }[];
  reactions: string[];
  args: Record<string, unknown>;
}
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}
type Fault = 'ratelimited' | '429' | '500' | 'accept-then-timeout';

export function fakeSlack(opts: { emails?: Record<string, string> } = {}) {
  const posts: SlackPost[] = [];
  const calls: SlackCall[] = [];
  const ephemerals: { channel: string; user: string; text: string; thread_ts?: string }[] = [];
  const homes = new Map<string, unknown>();
  const modals: { trigger_id: string; view: Record<string, unknown> }[] = [];
  const faults: { method: string; fault: Fault; retryAfter?: number }[] = [];
  const uploads = new Map<string, { name: string; bytes: number }>();
  const clock = 1_700_000_000;
  let seq = 0;
  const nextTs = () => `${clock + ++seq}.${String(seq).padStart(6, '0')}`;
  const ok = (body: Record<string, unknown> = {}) => HttpResponse.json({ ok: true, ...body });

  const parse = async (request: Request): Promise<Record<string, unknown>> => {
    const type = request.headers.get('content-type') ?? '';
    if (type.includes('json')) return (await request.json()) as Record<string, unknown>;
    const form = new URLSearchParams(await request.text());
    const out: Record<string, unknown> = {};
    for (const [k, v] of form) {
      out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
    }
    return out;
  };

  const post = (args: Record<string, unknown>, extra: Partial<SlackPost> = {}): SlackPost => {
    const p: SlackPost = {
      channel: String(args.channel),
      ts: nextTs(),
      thread_ts: args.thread_ts ? String(args.thread_ts) : undefined,
      text: String(args.text ?? ''),
      blocks: args.blocks as unknown[] | undefined,
      username: args.username as string | undefined,
      metadata: args.metadata as SlackPost['metadata'],
      bot_id: BOT.botId,
      reactions: [],
      args,
      ...extra,
    };
    posts.push(p);
    return p;
  };
  const find = (channel: unknown, ts: unknown) => posts.find((p) => p.channel === channel && p.ts === ts);

  const methods: Record<string, (a: Record<string, unknown>) => Response | Promise<Response>> = {
    'auth.test': () =>
      ok({ user_id: BOT.userId, bot_id: BOT.botId, url: 'https://acme.slack.com/', team_id: 'T1' }),
    'users.info': (a) => ok({ user: { id: a.user, profile: { email: opts.emails?.[String(a.user)] } } }),
    'conversations.open': (a) => ok({ channel: { id: `D_${String(a.users)}` } }),
    'chat.postMessage': (a) => {
      const p = post(a);
      return ok({ channel: p.channel, ts: p.ts, message: { ts: p.ts, text: p.text } });
    },
    'chat.update': (a) => {
      const p = find(a.channel, a.ts);
      if (!p) return HttpResponse.json({ ok: false, error: 'message_not_found' });
      Object.assign(p, { text: String(a.text ?? ''), blocks: a.blocks, args: { ...p.args, ...a } });
      return ok({ channel: p.channel, ts: p.ts });
    },
    'chat.delete': (a) => {
      const i = posts.findIndex((p) => p.channel === a.channel && p.ts === a.ts);
      if (i < 0) return HttpResponse.json({ ok: false, error: 'message_not_found' });
      posts.splice(i, 1);
      return ok({ channel: a.channel, ts: a.ts });
    },
    'chat.postEphemeral': (a) => {
      ephemerals.push({
        channel: String(a.channel),
        user: String(a.user),
        text: String(a.text ?? ''),
        thread_ts: a.thread_ts as string | undefined,
      });
      return ok({ message_ts: nextTs() });
    },
    'conversations.replies': (a) => {
      const thread = posts
        .filter((p) => p.channel === a.channel && (p.ts === a.ts || p.thread_ts === a.ts))
        .filter((p) => !a.oldest || Number(p.ts) > Number(a.oldest))
        .map((p) => ({
          ts: p.ts,
          thread_ts: p.thread_ts ?? p.ts,
          text: p.text,
          user: p.user,
          bot_id: p.bot_id,
          ...(a.include_all_metadata && p.metadata ? { metadata: p.metadata } : {}),
        }));
      return ok({ messages: thread, has_more: false, response_metadata: { next_cursor: '' } });
    },
    'reactions.add': (a) => {
      find(a.channel, a.timestamp)?.reactions.push(String(a.name));
      return ok();
    },
    'reactions.get': (a) => {
      const p = find(a.channel, a.timestamp);
      if (!p) return HttpResponse.json({ ok: false, error: 'message_not_found' });
      const reactions = p.reactions.map((name) => ({ name, users: [BOT.userId], count: 1 }));
      return ok({ type: 'message', channel: p.channel, message: { ts: p.ts, reactions } });
    },
    'reactions.remove': (a) => {
      const p = find(a.channel, a.timestamp);
      if (p) p.reactions = p.reactions.filter((r) => r !== a.name);
      return ok();
    },
    'views.publish': (a) => {
      homes.set(String(a.user_id), a.view);
      return ok({ view: { id: 'V1' } });
    },
    'views.open': (a) => {
      modals.push({ trigger_id: String(a.trigger_id), view: a.view as Record<string, unknown> });
      return ok({ view: { id: 'V2' } });
    },
    'files.getUploadURLExternal': (a) => {
      const id = `F${++seq}`;
      uploads.set(id, { name: String(a.filename), bytes: Number(a.length) });
      return ok({ upload_url: `https://files.slack.test/upload/${id}`, file_id: id });
    },
    'files.completeUploadExternal': (a) => {
      const files = (a.files as { id: string; title?: string }[]).map((f) => ({
        name: uploads.get(f.id)?.name ?? f.title ?? 'file',
      }));
      post({ channel: a.channel_id, thread_ts: a.thread_ts, text: a.initial_comment ?? '' }, { files });
      return ok({ files: files.map((f, i) => ({ id: (a.files as { id: string }[])[i]!.id, name: f.name })) });
    },
  };

  const handlers = [
    http.post(`${SLACK_API_URL}:method`, async ({ request, params }) => {
      const method = String(params.method);
      const args = await parse(request);
      calls.push({ method, args, at: Date.now() });
      const fi = faults.findIndex((f) => f.method === method);
      if (fi >= 0) {
        const [f] = faults.splice(fi, 1);
        if (f!.fault === '429') {
          return new HttpResponse(null, {
            status: 429,
            headers: { 'retry-after': String(f!.retryAfter ?? 1) },
          });
        }
        if (f!.fault === 'ratelimited') return HttpResponse.json({ ok: false, error: 'ratelimited' });
        if (f!.fault === '500') return new HttpResponse('oops', { status: 500 });
        // Slack took the post, but the answer never reaches Parley.
        await methods[method]!(args);
        return HttpResponse.error();
      }
      const handler = methods[method];
      if (!handler) return HttpResponse.json({ ok: false, error: 'unknown_method' });
      return handler(args);
    }),
    http.post('https://files.slack.test/upload/:id', async ({ request }) => {
      await request.arrayBuffer();
      return new HttpResponse('OK', { status: 200 });
    }),
    http.get('https://files.slack.test/private/:name', async ({ params }) => {
      await delay(1);
      return new HttpResponse(new TextEncoder().encode(`bytes of ${String(params.name)}`), {
        headers: { 'content-type': 'text/plain' },
      });
    }),
  ];

  return {
    handlers,
    posts,
    calls,
    ephemerals,
    homes,
    modals,
    callsOf: (method: string) => calls.filter((c) => c.method === method),
    /** The next call of `method` fails this way (once). */
    fail: (method: string, fault: Fault, retryAfter?: number) => faults.push({ method, fault, retryAfter }),
    /** A person writes in Slack (no API call: the event carries it to Parley). */
    personWrites: (channel: string, user: string, text: string, threadTs?: string): SlackPost =>
      post({ channel, text, thread_ts: threadTs }, { bot_id: undefined, user }),
    threadOf: (channel: string, ts: string) =>
      posts.filter((p) => p.channel === channel && p.thread_ts === ts),
    /**
     * Everything a Slack user can read: messages in the shared channels and their own DM, private
     * answers to them, their App Home and modals opened for them.
     */
    readableBy: (user: string, sharedChannels: string[]) =>
      [
        ...posts
          .filter((p) => sharedChannels.includes(p.channel) || p.channel === `D_${user}`)
          .map((p) => JSON.stringify([p.text, p.blocks, p.username, p.files])),
        ...ephemerals.filter((e) => e.user === user).map((e) => e.text),
        JSON.stringify(homes.get(user) ?? ''),
      ].join('\n'),
  };
}

export type FakeSlack = ReturnType<typeof fakeSlack>;

/** Signs a body the way Slack does (v0 HMAC-SHA256 over `v0:<timestamp>:<body>`). */
export function slackHeaders(body: string, contentType: string, opts: { secret?: string; at?: number } = {}) {
  const ts = Math.floor((opts.at ?? Date.now()) / 1000);
  const sig = createHmac('sha256', opts.secret ?? SLACK_SIGNING_SECRET)
    .update(`v0:${ts}:${body}`)
    .digest('hex');
  return {
    'content-type': contentType,
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${sig}`,
  };
}

let eventSeq = 0;
/** An Events API callback, signed. */
export function slackEvent(
  event: Record<string, unknown>,
  opts: { eventId?: string; retryNum?: number } = {},
) {
  const body = JSON.stringify({
    type: 'event_callback',
    team_id: 'T1',
    api_app_id: BOT.appId,
    event_id: opts.eventId ?? `Ev${++eventSeq}${Date.now()}`,
    event_time: Math.floor(Date.now() / 1000),
    event,
  });
  const headers: Record<string, string> = slackHeaders(body, 'application/json');
  if (opts.retryNum) headers['x-slack-retry-num'] = String(opts.retryNum);
  return { method: 'POST', body, headers };
}

/** A `/parley` slash command, signed. */
export function slackCommand(user: string, text: string, channel = 'C_SUPPORT') {
  const body = new URLSearchParams({
    command: '/parley',
    text,
    user_id: user,
    user_name: user.toLowerCase(),
    channel_id: channel,
    team_id: 'T1',
    api_app_id: BOT.appId,
    trigger_id: `trigger-${Date.now()}`,
    response_url: 'https://hooks.slack.test/commands/1',
    token: 'unused',
  }).toString();
  return { method: 'POST', body, headers: slackHeaders(body, 'application/x-www-form-urlencoded') };
}

/** An interactivity payload (buttons, modal submissions), signed. */
export function slackInteraction(payload: Record<string, unknown>) {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return { method: 'POST', body, headers: slackHeaders(body, 'application/x-www-form-urlencoded') };
}
