import { createHmac } from 'node:crypto';
import { delay, HttpResponse, http } from 'msw';
import {
  filesAsShown,
  refusalOf,
  type SlackWorkspace,
  shareAsPerson,
  slackError,
  slackMethods,
  UPLOAD_URL,
} from './fake-slack-methods.ts';
import { expectVendorRefusal, recordVendorProblem } from './harness-guard.ts';
import { manifestBotScopes, USER_TOKEN_SCOPES } from './slack-rules.ts';

/**
 * A Slack workspace as far as Parley's calls go: the Web API under `SLACK_API_URL` (msw), keeping
 * channels, threads (with metadata), reactions, files, ephemerals and App Home views the way a
 * person in Slack would see them. Every call is recorded; a test can make the next call of a
 * method fail the ways Slack does. Below it: the signed requests Slack sends to Parley.
 *
 * It refuses what Slack refuses, with Slack's error bodies: a scope the app's manifest does not
 * grant (`missing_scope` with `needed` and `provided`), a missing argument or text, Block Kit over
 * its limits (`invalid_blocks` / `invalid_arguments` with Slack's json-pointer messages), text
 * over 40,000 characters (`msg_too_long`), a channel the test declared the app is not in
 * (`not_in_channel`) or gone (`channel_not_found`). A request Slack refuses as malformed, a method
 * the fake does not implement and a bad token fail the test (harness-guard.ts) unless the test
 * declares the refusal with `expectRefusal`: Parley often retries or logs such failures quietly.
 */
export const SLACK_API_URL = 'https://slack.test/api/';
export const SLACK_SIGNING_SECRET = 'slack-signing-secret-for-tests';
export const BOT_TOKEN = 'xoxb-test-token';
/** An admin's user token (SLACK_USER_TOKEN): it may delete people's messages too. */
export const ADMIN_TOKEN = 'xoxp-test-admin';
export const SLACK_ENV = { SLACK_API_URL, SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN };
export const BOT = {
  userId: 'U_PARLEY',
  botId: 'B_PARLEY',
  appId: 'A_PARLEY',
  teamUrl: 'https://parley-test.slack.com/',
};

export interface SlackPost {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  username?: string;
  icon_emoji?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** A person, or the app's bot user (then with `bot_id`). */
  user?: string;
  bot_id?: string;
  files?: { id: string; title?: string; name: string; url_private?: string }[];
  /** Names of the reactions on it. */
  reactions: string[];
}

export interface SlackCall {
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

const BOOLEAN_ARGS = new Set([
  'unfurl_links',
  'unfurl_media',
  'link_names',
  'include_all_metadata',
  'inclusive',
  'full',
]);

/** Form fields as Slack reads them: booleans, JSON objects and arrays, strings. */
async function parseArgs(request: Request): Promise<Record<string, unknown>> {
  if ((request.headers.get('content-type') ?? '').includes('json'))
    return (await request.json()) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(await request.text())) {
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

/** Arguments as a failure message shows them (long values cut). */
function brief(args: Record<string, unknown>): string {
  const json = JSON.stringify(args, (_k, v) =>
    typeof v === 'string' && v.length > 120 ? `${v.slice(0, 120)}…` : v,
  );
  return json.length > 800 ? `${json.slice(0, 800)}…` : json;
}

/** A clock that stands still in November 2023 but for one second per message: the same ts every run. */
function steadyClock() {
  let ms = 1_700_000_000_000;
  return () => (ms += 1_000);
}

/**
 * `now` is the clock Slack stamps messages with (ms). By default a steady one long past, so every
 * message is settled for the sweep; give `Date.now` where Parley compares ts with its own time.
 */
export function fakeSlack(
  opts: {
    emails?: Record<string, string>;
    foreignTeams?: Record<string, string>;
    now?: () => number;
    /** The bot token's scopes, instead of the manifest's (a test of a missing scope). */
    botScopes?: string[];
  } = {},
) {
  const calls: SlackCall[] = [];
  const failures: { method: string; failure: Failure; when?: (args: Record<string, unknown>) => boolean }[] =
    [];
  const now = opts.now ?? steadyClock();
  const botScopes = opts.botScopes ?? manifestBotScopes();
  let lastMicros = 0;
  let lastId = 0;
  const w: SlackWorkspace = {
    bot: BOT,
    posts: [],
    ephemerals: [],
    homes: new Map(),
    modals: [],
    uploads: new Map(),
    emails: opts.emails ?? {},
    foreignTeams: opts.foreignTeams ?? {},
    pageSize: 200,
    scopesOf: (token) => (token === ADMIN_TOKEN ? USER_TOKEN_SCOPES : botScopes),
    notIn: new Set(),
    gone: new Set(),
    identityOf: (token) => (token === ADMIN_TOKEN ? 'U_ADMIN' : BOT.userId),
    isAdmin: (token) => token === ADMIN_TOKEN,
    post: (fields) => {
      lastMicros = Math.max(now() * 1000, lastMicros + 1);
      const ts = `${Math.floor(lastMicros / 1e6)}.${String(lastMicros % 1e6).padStart(6, '0')}`;
      const p: SlackPost = { ...fields, ts, reactions: [] };
      w.posts.push(p);
      return p;
    },
    nextId: () => String(++lastId),
  };
  const methods = slackMethods(w);

  const handlers = [
    http.post(`${SLACK_API_URL}:method`, async ({ request, params }) => {
      const method = String(params.method);
      const token = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
      const args = await parseArgs(request);
      calls.push({ method, args, token });
      const handler = methods[method];
      if (!handler) {
        recordVendorProblem({
          vendor: 'Slack',
          what: `Parley called ${method}, which the fake Slack does not implement (args ${brief(args)}). A method Parley calls is a gap in the fake: implement it in fake-slack-methods.ts the way Slack does.`,
        });
        return slackError('unknown_method');
      }
      if (token !== BOT_TOKEN && token !== ADMIN_TOKEN) {
        const error = token ? 'invalid_auth' : 'not_authed';
        recordVendorProblem({
          vendor: 'Slack',
          refusal: error,
          what: `Slack refused ${method} with ${error}: ${token ? `the token ${token.slice(0, 8)}… is not the app's` : 'no token was sent'}`,
        });
        return slackError(error);
      }
      const i = failures.findIndex((f) => f.method === method && (!f.when || f.when(args)));
      const failure = i >= 0 ? failures.splice(i, 1)[0]!.failure : null;
      // What Slack does when it takes the call: its own checks first, then the method.
      const carryOut = async () => {
        const refusal = refusalOf(w, method, args, token);
        if (!refusal) return handler(args, token);
        if (refusal.malformed)
          recordVendorProblem({
            vendor: 'Slack',
            refusal: refusal.error,
            what: `Slack refused ${method} with ${refusal.error}: ${refusal.detail ?? ''} (args ${brief(args)})`,
          });
        return slackError(refusal.error, refusal.body);
      };
      switch (failure?.kind) {
        case '429':
          return HttpResponse.json(
            { ok: false, error: 'ratelimited' },
            {
              status: 429,
              headers: failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : {},
            },
          );
        case 'ratelimited':
          return slackError('ratelimited');
        case 'error':
          return slackError(failure.error);
        case '500':
          return new HttpResponse('oops', { status: 500 });
        case 'drop':
          return HttpResponse.error();
        case 'accept-then-drop':
          await carryOut();
          return HttpResponse.error();
        case 'accept-then-stall':
          await carryOut();
          await delay('infinite');
          return HttpResponse.error();
      }
      return carryOut();
    }),
    http.post(`${UPLOAD_URL}:id`, async ({ request, params }) => {
      const upload = w.uploads.get(String(params.id));
      if (!upload) {
        recordVendorProblem({
          vendor: 'Slack',
          what: `Parley sent file bytes to ${request.url}, an upload URL files.getUploadURLExternal never handed out`,
        });
        return new HttpResponse(null, { status: 404 });
      }
      upload.bytes = new Uint8Array(await request.arrayBuffer());
      return new HttpResponse('OK - 200');
    }),
    // A file a person shared in Slack (its url_private): only with a token that may read files;
    // without one Slack answers its sign-in page (HTML, status 200), not the file.
    http.get('https://files.slack.test/private/:name', async ({ request, params }) => {
      await delay(1);
      const token = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
      const known = token === BOT_TOKEN || token === ADMIN_TOKEN;
      if (!known || !w.scopesOf(token).includes('files:read')) {
        recordVendorProblem({
          vendor: 'Slack',
          what: `Parley downloaded the private file ${request.url} ${known ? 'with a token lacking files:read' : 'without the bot token'}: Slack answers its sign-in page instead`,
        });
        return new HttpResponse('<!DOCTYPE html><html><body>Sign in to Slack</body></html>', {
          headers: { 'content-type': 'text/html; charset=utf-8' },
        });
      }
      return new HttpResponse(new TextEncoder().encode(`bytes of ${String(params.name)}`), {
        headers: { 'content-type': 'text/plain' },
      });
    }),
  ];

  /** Everything in a message a person can read (text, blocks, author name, files not deleted). */
  const visible = (p: SlackPost) =>
    JSON.stringify([p.text, p.blocks ?? [], p.username ?? '', filesAsShown(w, p) ?? []]);

  return {
    handlers,
    calls,
    posts: w.posts,
    ephemerals: w.ephemerals,
    homes: w.homes,
    modals: w.modals,
    uploads: w.uploads,
    visible,
    callsOf: (method: string) => calls.filter((c) => c.method === method),
    /**
     * This test makes Slack refuse a call as malformed (`invalid_blocks`, `missing_scope`…) on
     * purpose: such refusals do not fail it, and one must happen before it ends.
     */
    expectRefusal: (error: string | RegExp) => expectVendorRefusal('Slack', error),
    /** The app was not invited into `channel`: Slack answers `not_in_channel` there (until `invite`). */
    notInvitedTo: (channel: string) => {
      w.notIn.add(channel);
    },
    /** Someone invites the app into `channel`. */
    invite: (channel: string) => {
      w.notIn.delete(channel);
    },
    /** `channel` does not exist (deleted, or never did): Slack answers `channel_not_found`. */
    channelGone: (channel: string) => {
      w.gone.add(channel);
    },
    /** The next call of `method` (matching `when`) fails this way. */
    failNext(method: string, failure: Failure, when?: (args: Record<string, unknown>) => boolean) {
      failures.push({ method, failure, when });
    },
    /** A person writes in Slack (no API call: the event, or the sweep, carries it to Parley). */
    personWrites: (channel: string, user: string, text: string, threadTs?: string): SlackPost =>
      w.post({ channel, user, text, thread_ts: threadTs }),
    /** A person attaches a file to a message of theirs (uploaded with their own token). */
    personShares: (channel: string, user: string, text: string, filename: string, threadTs?: string) =>
      shareAsPerson(w, { channel, user, text, thread_ts: threadTs }, filename),
    /** Files the workspace still holds (not deleted), wherever they were shared or not. */
    liveFiles: () => [...w.uploads].filter(([, f]) => !f.deleted).map(([id, f]) => ({ id, ...f })),
    /** The thread as people see it: the header first, then the replies in order. */
    thread: (channel: string, ts: string) =>
      w.posts.filter((p) => p.channel === channel && (p.ts === ts || p.thread_ts === ts)),
    /** The replies under a thread's header, without the header. */
    threadOf: (channel: string, ts: string) =>
      w.posts.filter((p) => p.channel === channel && p.thread_ts === ts),
    /**
     * Everything a Slack user can read: messages in the shared channels and their own DM with the
     * app, private answers to them and their App Home.
     */
    readableBy: (user: string, sharedChannels: string[]) =>
      [
        ...w.posts
          .filter((p) => sharedChannels.includes(p.channel) || p.channel === `D_${user}`)
          .map(visible),
        ...w.ephemerals.filter((e) => e.user === user).map((e) => e.text),
        JSON.stringify(w.homes.get(user) ?? ''),
      ].join('\n'),
    /** How many messages a conversations.replies page holds (Slack's pages can be smaller than asked). */
    setPageSize(n: number) {
      w.pageSize = n;
    },
    /**
     * Forgets calls, scripted failures and the channels declared gone or without the app, and
     * pages are full size again; messages stay.
     */
    reset() {
      w.pageSize = 200;
      calls.length = 0;
      failures.length = 0;
      w.notIn.clear();
      w.gone.clear();
    },
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
