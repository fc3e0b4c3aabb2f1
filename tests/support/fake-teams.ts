import { randomBytes } from 'node:crypto';
import { delay, HttpResponse, http } from 'msw';
import { graphHandlers } from './fake-teams-graph.ts';
import type { TeamsRefusal } from './fake-teams-rules.ts';
import {
  answer,
  brief,
  type TeamsActivity,
  type TeamsCall,
  type TeamsOp,
  type TeamsUser,
  teamsState,
} from './fake-teams-state.ts';
import { expectVendorRefusal, recordVendorProblem } from './harness-guard.ts';

export { TEAMS_GRAPH_URL } from './fake-teams-graph.ts';
export type { TeamsActivity, TeamsCall, TeamsOp, TeamsPost, TeamsUser } from './fake-teams-state.ts';

/**
 * The Bot Connector as far as Parley's calls go (msw, under TEAMS_SERVICE_URL): channel posts and
 * their replies, personal chats with the bot, edits and deletions, and the roster. It keeps what
 * a person in Teams sees — each channel's posts with their replies in order, each user's personal
 * chat, cards as last updated, deleted activities gone — and records every call. A test can make
 * the next matching call fail the ways Teams does (429 with or without Retry-After, 412, 5xx,
 * timeout after Teams took it). It refuses what Teams refuses (fake-teams-rules.ts), with Teams'
 * error bodies; a malformed request, a path the fake does not know and a missing token fail the
 * test (harness-guard.ts) unless the test declares the refusal with `expectRefusal`.
 * Inbound activities (Teams → Parley) are signed by fake-teams-auth.ts, not here.
 */
export const TEAMS_SERVICE_URL = 'https://smba.teams.test/teams';
export const TEAMS_TEST_APP_ID = '00000000-0000-4000-8000-00000000b07a';
export const TEAMS_TEST_TENANT_ID = '00000000-0000-4000-8000-0000000c0de0';

export type TeamsFailure =
  | { kind: '429'; retryAfter?: number }
  | { kind: '412' }
  | { kind: '5xx'; status: 500 | 502 | 503 | 504 }
  /** Teams carries the call out, then answers after the client gave up (its timeout). */
  | { kind: 'accept-then-timeout' }
  /** The connection drops before Teams saw anything. */
  | { kind: 'drop' }
  | { kind: 'error'; status: number; code: string; message?: string };

const FAILURE_ANSWERS: Record<string, TeamsRefusal> = {
  '429': { status: 429, code: 'Throttled', message: 'Too many requests.' },
  '412': { status: 412, code: 'PreconditionFailed', message: 'Precondition failed, please try again.' },
};

export function fakeTeams(opts: { appId?: string; tenantId?: string } = {}) {
  const botId = `28:${opts.appId ?? TEAMS_TEST_APP_ID}`;
  const tenantId = opts.tenantId ?? TEAMS_TEST_TENANT_ID;
  const calls: TeamsCall[] = [];
  const failures: { match: (c: TeamsCall) => boolean; failure: TeamsFailure }[] = [];
  const state = teamsState(botId, tenantId);
  const { posts, chats, users, notInTeam, gone, chatWith } = state;
  /** Teams whose owner refused the app's ChannelMessage.Read.Group: Graph answers 403 there. */
  const graphRefused = new Set<string>();

  function unknown(method: string, call: Partial<TeamsCall> & { path?: string }): Response {
    recordVendorProblem({
      vendor: 'Teams',
      what: `Parley called ${method} ${call.path ?? call.conversation}, which the fake Bot Connector does not implement (body ${brief(call.body)}). Implement it in fake-teams.ts the way Teams does, or fix the URL.`,
    });
    return answer({ status: 404, code: 'NotFound', message: 'Unknown path.' });
  }

  /** The call a request is, from its method and path below the service URL. */
  function route(method: string, path: string, body: unknown): TeamsCall | null {
    const s = path.split('/').map((x) => decodeURIComponent(x));
    if (s[1] !== 'v3' || s[2] !== 'conversations') return null;
    const conv = s[3] ?? null;
    const make = (op: TeamsOp, activityId: string | null = null): TeamsCall => ({
      op,
      method,
      conversation: conv,
      activityId,
      body,
    });
    if (s.length === 3 && method === 'POST') return make('open');
    if (s.length === 5 && s[4] === 'activities' && method === 'POST')
      return make(chats.has(conv!) ? 'chat' : conv!.includes(';messageid=') ? 'reply' : 'post');
    if (s.length === 6 && s[4] === 'activities' && method === 'PUT') return make('update', s[5]!);
    if (s.length === 6 && s[4] === 'activities' && method === 'DELETE') return make('delete', s[5]!);
    if (s.length === 6 && s[4] === 'members' && method === 'GET') return make('member', s[5]!);
    return null;
  }

  /** The failure a test scripted for this call, if any, as Teams would answer it. */
  async function injected(call: TeamsCall, carryOut: () => Response): Promise<Response | null> {
    const i = failures.findIndex((f) => f.match(call));
    const failure = i >= 0 ? failures.splice(i, 1)[0]!.failure : null;
    switch (failure?.kind) {
      case '429':
        return answer(
          FAILURE_ANSWERS['429']!,
          failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter) } : undefined,
        );
      case '412':
        return answer(FAILURE_ANSWERS['412']!);
      case '5xx':
        return answer({
          status: failure.status,
          code: 'ServiceError',
          message: 'The service is unavailable.',
        });
      case 'error':
        return answer({
          status: failure.status,
          code: failure.code,
          message: failure.message ?? failure.code,
        });
      case 'drop':
        return HttpResponse.error();
      case 'accept-then-timeout':
        carryOut();
        await delay('infinite');
        return HttpResponse.error();
    }
    return null;
  }

  const handlers = [
    http.all(`${TEAMS_SERVICE_URL}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const path = url.pathname.slice(new URL(TEAMS_SERVICE_URL).pathname.length);
      const text = ['POST', 'PUT'].includes(request.method) ? await request.text() : '';
      let body: unknown = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = text;
      }
      const call = route(request.method, path, body);
      if (!call) return unknown(request.method, { path, body });
      calls.push(call);
      const auth = request.headers.get('authorization') ?? '';
      if (!/^Bearer \S+/.test(auth)) {
        recordVendorProblem({
          vendor: 'Teams',
          refusal: 'Unauthorized',
          what: `Teams refused ${call.op} (${call.conversation ?? ''}): no bearer token was sent`,
        });
        return HttpResponse.json(
          { message: 'Authorization has been denied for this request.' },
          { status: 401 },
        );
      }
      return (await injected(call, () => state.carryOut(call))) ?? state.carryOut(call);
    }),
    ...graphHandlers({
      state,
      appId: opts.appId ?? TEAMS_TEST_APP_ID,
      refused: graphRefused,
      calls,
      injected,
    }),
  ];

  const visible = (a: TeamsActivity) => JSON.stringify([a.text ?? '', a.attachments ?? [], a.summary ?? '']);
  const livePosts = (channel?: string) =>
    posts.filter((p) => (!channel || p.channel === channel) && (p.root || p.replies.length > 0));

  return {
    handlers,
    calls,
    botId,
    tenantId,
    callsOf: (op: TeamsOp) => calls.filter((c) => c.op === op),
    /** Someone in the tenant; `installed: false`: the app is not installed for them (personal chat refused). */
    addUser(u: {
      name: string;
      email?: string | null;
      aadObjectId?: string;
      installed?: boolean;
      guest?: boolean;
    }): TeamsUser {
      const user: TeamsUser = {
        id: `29:1${randomBytes(16).toString('hex')}`,
        aadObjectId: u.aadObjectId ?? crypto.randomUUID(),
        name: u.name,
        email: u.email ?? null,
        installed: u.installed ?? true,
        ...(u.guest ? { guest: true } : {}),
      };
      users.set(user.aadObjectId, user);
      return user;
    },
    install(aadObjectId: string) {
      users.get(aadObjectId)!.installed = true;
    },
    uninstall(aadObjectId: string) {
      users.get(aadObjectId)!.installed = false;
    },
    /** The app is not in the channel's team: posts there answer 403 BotNotInConversationRoster. */
    notInTeam: (channel: string) => void notInTeam.add(channel),
    channelGone: (channel: string) => void gone.add(channel),
    /** The team's owner refused the app's ChannelMessage.Read.Group: Graph cannot read its channels. */
    graphRefusedIn: (team: string) => void graphRefused.add(team),
    /** The test makes Teams refuse a request as malformed on purpose (a code such as MessageSizeTooBig). */
    expectRefusal: (code: string | RegExp) => expectVendorRefusal('Teams', code),
    /** The next call matching (an op, or a test of the call) fails this way. */
    failNext(match: TeamsOp | ((c: TeamsCall) => boolean), failure: TeamsFailure) {
      failures.push({ match: typeof match === 'string' ? (c) => c.op === match : match, failure });
    },
    /** A channel's posts as people see them (a deleted root leaves its replies), in order. */
    posts: livePosts,
    /** A post by its thread id (`19:…;messageid=<root>`). */
    post: (threadId: string) => state.postOf(threadId),
    /** A user's personal chat with the bot, in order (empty when there is none). */
    chatWith,
    /** The user opens their chat with the app (as from Apps in Teams): the chat's id. */
    userOpensChat: state.userOpensChat,
    activity: (conversation: string, id: string) => state.locate(conversation, id)?.activity ?? null,
    visible,
    /** Everything a user can read: the given channels' posts and their own personal chat. */
    readableBy(aadObjectId: string, channels: string[]): string {
      const inChannels = livePosts().filter((p) => channels.includes(p.channel));
      const all = [...inChannels.flatMap((p) => [...(p.root ? [p.root] : []), ...p.replies])];
      return [...all, ...chatWith(aadObjectId)].map(visible).join('\n');
    },
    /** A person writes in a post's thread or their personal chat (the inbound activity is the test's to send). */
    personWrites(conversation: string, aadObjectId: string, text: string): TeamsActivity {
      const u = users.get(aadObjectId)!;
      const a: TeamsActivity = {
        id: state.nextId(),
        conversation,
        from: { id: u.id, name: u.name, aadObjectId },
        byBot: false,
        type: 'message',
        text,
        updates: 0,
      };
      const list = chats.get(conversation)?.activities ?? state.postOf(conversation)?.replies;
      if (!list) throw new Error(`fake Teams: no thread or chat ${conversation}`);
      list.push(a);
      return a;
    },
    /** Forgets calls, scripted failures and the channels declared gone or outside; messages stay. */
    reset() {
      calls.length = 0;
      failures.length = 0;
      notInTeam.clear();
      gone.clear();
      graphRefused.clear();
    },
  };
}

export type FakeTeams = ReturnType<typeof fakeTeams>;
