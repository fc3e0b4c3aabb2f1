import { randomBytes } from 'node:crypto';
import { HttpResponse } from 'msw';
import { activityRefusal, errorBody, type TeamsRefusal } from './fake-teams-rules.ts';
import { recordVendorProblem } from './harness-guard.ts';

/**
 * What the fake Bot Connector (fake-teams.ts) holds and how it carries a call out: channel posts
 * with their replies, personal chats, the tenant's users. Refusals that come from the state
 * (not installed, gone, not found) are Teams' answers; refusals of a malformed request are also
 * recorded as problems (harness-guard.ts).
 */

export interface TeamsActivity {
  id: string;
  /** The channel (for a post's root), the post's thread (`…;messageid=<root>`) or the personal chat. */
  conversation: string;
  from: { id: string; name?: string; aadObjectId?: string };
  byBot: boolean;
  type: string;
  text?: string;
  textFormat?: string;
  summary?: string;
  attachments?: { contentType: string; content?: unknown; contentUrl?: string; name?: string }[];
  entities?: unknown[];
  channelData?: Record<string, unknown>;
  /** How many times the bot updated it. */
  updates: number;
}

/** A channel post: its root (null once deleted: the replies stay, as in Teams) and replies in order. */
export interface TeamsPost {
  channel: string;
  threadId: string;
  root: TeamsActivity | null;
  replies: TeamsActivity[];
}

export interface TeamsUser {
  id: string;
  aadObjectId: string;
  name: string;
  email: string | null;
  installed: boolean;
  /** A guest from another organisation, invited into the tenant (Teams says userRole 'guest'). */
  guest?: boolean;
}

/** `replies`, `posts`: Graph's lists of a post's replies and of a channel's posts (fake-teams-graph.ts). */
export type TeamsOp =
  | 'post'
  | 'reply'
  | 'chat'
  | 'open'
  | 'update'
  | 'delete'
  | 'member'
  | 'replies'
  | 'posts';
export interface TeamsCall {
  op: TeamsOp;
  method: string;
  conversation: string | null;
  activityId: string | null;
  body: unknown;
}

const NOT_IN_ROSTER: TeamsRefusal = {
  status: 403,
  code: 'BotNotInConversationRoster',
  message: 'The bot is not part of the conversation roster.',
};
const NOT_FOUND: TeamsRefusal = {
  status: 404,
  code: 'ConversationNotFound',
  message: 'Conversation not found.',
};
const ACTIVITY_NOT_FOUND: TeamsRefusal = { status: 404, code: 'NotFound', message: 'Activity not found.' };

export const answer = (r: TeamsRefusal, headers?: Record<string, string>) =>
  HttpResponse.json(errorBody(r.code, r.message), { status: r.status, headers });
export const brief = (body: unknown) => {
  const s = JSON.stringify(body) ?? '';
  return s.length > 600 ? `${s.slice(0, 600)}…` : s;
};
const bytesOf = (body: unknown) => Buffer.byteLength(JSON.stringify(body) ?? '');

export function malformed(call: TeamsCall, r: TeamsRefusal): Response {
  recordVendorProblem({
    vendor: 'Teams',
    refusal: r.code,
    what: `Teams refused ${call.op} (${call.conversation ?? ''}) with ${r.status} ${r.code}: ${r.message} (body ${brief(call.body)})`,
  });
  return answer(r);
}

export type TeamsState = ReturnType<typeof teamsState>;

export function teamsState(botId: string, tenantId: string) {
  const posts: TeamsPost[] = [];
  const chats = new Map<string, { user: TeamsUser; activities: TeamsActivity[] }>();
  const users = new Map<string, TeamsUser>();
  const notInTeam = new Set<string>();
  const gone = new Set<string>();
  let lastId = 1_700_000_000_000;
  const nextId = () => String(++lastId);

  const userById = (id: string) => users.get(id) ?? [...users.values()].find((u) => u.id === id);
  const chatOfUser = (u: TeamsUser) => [...chats].find(([, c]) => c.user === u)?.[0];
  const postOf = (threadId: string) => posts.find((p) => p.threadId === threadId);
  const isChannel = (c: string) => /^19:[^;]+@thread\.(tacv2|skype)$/.test(c);

  /** The activity and the list it lives in, addressed by a conversation id Teams accepts for it. */
  function locate(conversation: string, id: string) {
    const chat = chats.get(conversation);
    if (chat) {
      const i = chat.activities.findIndex((a) => a.id === id);
      return i < 0 ? null : { list: chat.activities, i, activity: chat.activities[i]! };
    }
    const channel = conversation.split(';')[0]!;
    for (const p of posts.filter((x) => x.channel === channel)) {
      if (p.root?.id === id) return { post: p, activity: p.root };
      const i = p.replies.findIndex((a) => a.id === id);
      if (i >= 0) return { list: p.replies, i, activity: p.replies[i]! };
    }
    return null;
  }

  const store = (conversation: string, body: Record<string, unknown>): TeamsActivity => ({
    type: 'message',
    ...(body as Partial<TeamsActivity>),
    id: nextId(),
    conversation,
    from: { id: botId, name: 'Parley' },
    byBot: true,
    updates: 0,
  });

  /** What Teams does with a call it takes; a refusal for the state it finds. */
  function carryOut(call: TeamsCall): Response {
    const conv = call.conversation ?? '';
    const body = call.body as Record<string, unknown>;
    switch (call.op) {
      case 'open': {
        if (body?.isGroup || (body?.channelData as { channel?: unknown })?.channel)
          return malformed(call, {
            status: 400,
            code: 'BadArgument',
            message:
              'Parley creates channel posts with POST /v3/conversations/{channel}/activities, not the deprecated create.',
          });
        const members = Array.isArray(body?.members) ? (body.members as { id?: string }[]) : [];
        const tenant = body?.tenantId ?? (body?.channelData as { tenant?: { id?: string } })?.tenant?.id;
        if (members.length !== 1 || !members[0]?.id || tenant !== tenantId)
          return malformed(call, {
            status: 400,
            code: 'BadArgument',
            message: `A personal chat needs exactly one member and tenantId ${tenantId}.`,
          });
        const user = userById(members[0].id);
        if (!user)
          return answer({ status: 400, code: 'BadArgument', message: 'The user is not in the tenant.' });
        if (!user.installed) return answer(NOT_IN_ROSTER);
        const id = chatOfUser(user) ?? `a:1${randomBytes(12).toString('hex')}`;
        if (!chats.has(id)) chats.set(id, { user, activities: [] });
        return HttpResponse.json({ id }, { status: 201 });
      }
      case 'post':
      case 'reply':
      case 'chat': {
        const chat = chats.get(conv);
        if (chat && !chat.user.installed) return answer(NOT_IN_ROSTER);
        const channel = conv.split(';')[0]!;
        if (!chat && (gone.has(channel) || !isChannel(channel))) return answer(NOT_FOUND);
        if (!chat && notInTeam.has(channel)) return answer(NOT_IN_ROSTER);
        const refusal = activityRefusal(body, bytesOf(body));
        if (refusal) return malformed(call, refusal);
        if (chat) {
          const a = store(conv, body);
          chat.activities.push(a);
          return HttpResponse.json({ id: a.id }, { status: 201 });
        }
        if (call.op === 'reply') {
          const post = postOf(conv);
          if (!post) return answer(NOT_FOUND);
          const a = store(conv, body);
          post.replies.push(a);
          return HttpResponse.json({ id: a.id }, { status: 201 });
        }
        const root = store(channel, body);
        posts.push({ channel, threadId: `${channel};messageid=${root.id}`, root, replies: [] });
        return HttpResponse.json({ id: root.id }, { status: 201 });
      }
      case 'update':
      case 'delete': {
        const found = locate(conv, call.activityId!);
        if (!found) return answer(ACTIVITY_NOT_FOUND);
        if (!found.activity.byBot)
          return malformed(call, {
            status: 403,
            code: 'Forbidden',
            message: 'The bot may only change its own messages.',
          });
        if (call.op === 'delete') {
          if ('post' in found && found.post) found.post.root = null;
          else found.list!.splice(found.i!, 1);
          return new HttpResponse(null, { status: 200 });
        }
        const refusal = activityRefusal(body, bytesOf(body));
        if (refusal) return malformed(call, refusal);
        const { id, conversation, from, byBot, updates } = found.activity;
        const next = {
          ...(body as Partial<TeamsActivity>),
          id,
          conversation,
          from,
          byBot,
          updates: updates + 1,
        };
        if ('post' in found && found.post) found.post.root = next as TeamsActivity;
        else found.list![found.i!] = next as TeamsActivity;
        return HttpResponse.json({ id });
      }
      case 'member': {
        const user = userById(call.activityId!);
        const chat = chats.get(conv);
        const inRoster = user && (chat ? chat.user === user : isChannel(conv.split(';')[0]!));
        if (!user || !inRoster)
          return answer({
            status: 404,
            code: 'MemberNotFoundInConversation',
            message: 'The member was not found.',
          });
        const [givenName, ...rest] = user.name.split(' ');
        return HttpResponse.json({
          id: user.id,
          name: user.name,
          aadObjectId: user.aadObjectId,
          email: user.email,
          userPrincipalName: user.email,
          givenName,
          surname: rest.join(' '),
          tenantId,
          userRole: user.guest ? 'guest' : 'user',
        });
      }
      case 'replies':
      case 'posts':
        throw new Error('fake Teams: Graph calls are carried out by fake-teams-graph.ts');
    }
  }

  function chatWith(aadObjectId: string): TeamsActivity[] {
    const u = users.get(aadObjectId);
    const id = u && chatOfUser(u);
    return id ? chats.get(id)!.activities : [];
  }

  /** The user opens their chat with the app in Teams (the app installed for them): its id. */
  const userOpensChat = (aadObjectId: string): string => {
    const u = users.get(aadObjectId);
    if (!u?.installed) throw new Error(`fake Teams: the app is not installed for ${aadObjectId}`);
    const id = chatOfUser(u) ?? `a:1${randomBytes(12).toString('hex')}`;
    if (!chats.has(id)) chats.set(id, { user: u, activities: [] });
    return id;
  };
  return { posts, chats, users, notInTeam, gone, nextId, postOf, locate, carryOut, chatWith, userOpensChat };
}
