import { HttpResponse } from 'msw';
import type { SlackPost } from './fake-slack.ts';
import { blockErrors, MAX_MESSAGE_TEXT, METHOD_SCOPES, viewErrors } from './slack-rules.ts';

/** What the fake Slack workspace holds; the Web API methods below read and change it. */
export interface SlackWorkspace {
  bot: { userId: string; botId: string; teamUrl: string };
  posts: SlackPost[];
  ephemerals: { channel: string; user: string; text: string; thread_ts?: string }[];
  /** App Home views by Slack user id. */
  homes: Map<string, unknown>;
  modals: { trigger_id: string; view: Record<string, unknown> }[];
  /** Every file in the workspace by id: who uploaded it, and whether it was deleted since. */
  uploads: Map<string, SlackUpload>;
  emails: Record<string, string>;
  /** Users from another workspace (Slack Connect), by id: their home team. Everyone else is in T1. */
  foreignTeams: Record<string, string>;
  /** How many messages a conversations.replies page holds at most. */
  pageSize: number;
  /** The scopes each token was granted (the bot's: the manifest's; an admin's user token: its own). */
  scopesOf: (token: string) => readonly string[];
  /** Channels the app was not invited into (a test declares them): Slack answers `not_in_channel`. */
  notIn: Set<string>;
  /** Channels that do not exist, or no longer (a test declares them): `channel_not_found`. */
  gone: Set<string>;
  /** The user a token acts as. */
  identityOf: (token: string) => string;
  /** Whether a token is a workspace admin's (who may delete anyone's messages and files). */
  isAdmin: (token: string) => boolean;
  /** Stores a message the way Slack shows it, with a fresh ts. */
  post: (fields: Omit<SlackPost, 'ts' | 'reactions'>) => SlackPost;
  nextId: () => string;
}

export interface SlackUpload {
  filename: string;
  length: number;
  bytes?: Uint8Array;
  /** The user (or the app's bot user) whose token uploaded it. */
  uploader: string;
  deleted?: boolean;
}

/**
 * A message's files as Slack lists them: a deleted file stays in the message as a tombstone (its
 * id and `mode: 'tombstone'`, no name), the way Slack shows "This file was deleted."
 */
export const filesAsShown = (w: Pick<SlackWorkspace, 'uploads'>, p: SlackPost) =>
  p.files?.map((f) => (w.uploads.get(f.id)?.deleted ? { id: f.id, mode: 'tombstone' } : f));

/** A person's message with a file they uploaded themselves (only they, or an admin, may delete it). */
export function shareAsPerson(
  w: SlackWorkspace,
  message: Pick<SlackPost, 'channel' | 'user' | 'text' | 'thread_ts'>,
  filename: string,
): SlackPost {
  const id = `F${w.nextId()}`;
  const bytes = new TextEncoder().encode(`bytes of ${filename}`);
  w.uploads.set(id, { filename, length: bytes.byteLength, bytes, uploader: message.user! });
  const url_private = `https://files.slack.test/private/${encodeURIComponent(filename)}`;
  return w.post({ ...message, files: [{ id, name: filename, url_private }] });
}

/** Where Slack takes a file's bytes (files.getUploadURLExternal hands out one URL per file). */
export const UPLOAD_URL = 'https://files.slack.test/upload/';

type Method = (args: Record<string, unknown>, token: string) => Response | Promise<Response>;

const ok = (body: Record<string, unknown> = {}) => HttpResponse.json({ ok: true, ...body });
export const slackError = (error: string, extra: Record<string, unknown> = {}) =>
  HttpResponse.json({ ok: false, error, ...extra });
const str = (v: unknown) => (v === undefined ? undefined : String(v));

/**
 * Why Slack refuses a call before carrying it out, in Slack's words: the error code, the fields
 * Slack adds to its body, and whether the request itself is wrong (`malformed`: a missing scope,
 * argument or text, blocks over Block Kit's limits — Parley's fault, which fails the test unless
 * it declares the refusal) or the workspace's state refuses it (a channel the app is not in).
 */
export interface Refusal {
  error: string;
  body?: Record<string, unknown>;
  malformed: boolean;
  /** What exactly is wrong, for the test's failure message. */
  detail?: string;
}

/** What a method requires before Slack looks at anything else (Slack's `invalid_arguments` otherwise). */
const REQUIRED: Record<string, string[]> = {
  'chat.update': ['ts'],
  'chat.delete': ['ts'],
  'chat.postEphemeral': ['user'],
  'conversations.replies': ['ts'],
  'reactions.add': ['timestamp', 'name'],
  'reactions.remove': ['timestamp', 'name'],
  'reactions.get': ['timestamp'],
  'views.publish': ['user_id', 'view'],
  'views.open': ['trigger_id', 'view'],
  'files.getUploadURLExternal': ['filename', 'length'],
  'files.completeUploadExternal': ['files'],
  'files.delete': ['file'],
};
/** Methods addressing a channel (the argument naming it): a channel that is gone, or without the app, refuses. */
const CHANNEL_ARG: Record<string, string> = {
  'chat.postMessage': 'channel',
  'chat.update': 'channel',
  'chat.delete': 'channel',
  'chat.postEphemeral': 'channel',
  'conversations.replies': 'channel',
  'conversations.history': 'channel',
  'reactions.add': 'channel',
  'reactions.remove': 'channel',
  'reactions.get': 'channel',
};
/** Methods drawing blocks in a message, and the views ones. */
const MESSAGE_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral']);
/** What a Slack id looks like: C… (channel), G… (private), D… (DM), U…/W… (a user: their DM with the app). */
const SLACK_ID = /^[CDGUW][A-Z0-9_]+$/;

/**
 * Slack's checks, in Slack's order: the token's scopes, the required arguments, the channel, then
 * the content (text length, Block Kit). Null: Slack carries the call out.
 */
export function refusalOf(
  w: Pick<SlackWorkspace, 'scopesOf' | 'notIn' | 'gone'>,
  method: string,
  args: Record<string, unknown>,
  token: string,
): Refusal | null {
  const provided = w.scopesOf(token);
  const needed = METHOD_SCOPES[method]?.(args) ?? null;
  if (needed && !provided.includes(needed))
    return {
      error: 'missing_scope',
      body: { needed, provided: provided.join(',') },
      malformed: true,
      detail: `the token has no ${needed} scope (adapters/surfaces/slack/manifest.yaml grants ${provided.join(', ') || 'nothing'})`,
    };
  const missing = (REQUIRED[method] ?? []).filter((k) => args[k] === undefined || args[k] === '');
  if (missing.length)
    return invalidArguments(missing.map((k) => `missing required field: ${k} [json-pointer:/]`));
  const channelArg = CHANNEL_ARG[method];
  if (channelArg) {
    const channel = args[channelArg];
    if (typeof channel !== 'string' || !SLACK_ID.test(channel))
      return {
        error: 'channel_not_found',
        malformed: true,
        detail: `\`${channelArg}\` is ${JSON.stringify(channel)}, not a channel id`,
      };
    if (w.gone.has(channel)) return { error: 'channel_not_found', malformed: false };
    if (w.notIn.has(channel)) return { error: 'not_in_channel', malformed: false };
  }
  if (method === 'conversations.open' && args.users === undefined && args.channel === undefined)
    return {
      error: 'users_list_not_supplied',
      malformed: true,
      detail: 'neither `users` nor `channel` given',
    };
  if (MESSAGE_METHODS.has(method)) {
    const text = args.text;
    const hasBlocks = Array.isArray(args.blocks) && args.blocks.length > 0;
    if ((text === undefined || text === '') && !hasBlocks && args.attachments === undefined)
      return { error: 'no_text', malformed: true, detail: 'no `text`, `blocks` or `attachments`' };
    if (typeof text === 'string' && text.length > MAX_MESSAGE_TEXT)
      return {
        error: 'msg_too_long',
        malformed: true,
        detail: `\`text\` has ${text.length} characters (Slack takes ${MAX_MESSAGE_TEXT})`,
      };
    if (args.blocks !== undefined) {
      const errors = blockErrors(args.blocks, 'message');
      if (errors.length)
        return {
          error: 'invalid_blocks',
          body: { errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } },
          malformed: true,
          detail: errors.join('; '),
        };
    }
  }
  if (method === 'views.publish' || method === 'views.open') {
    const errors = viewErrors(args.view, method === 'views.publish' ? 'home' : 'modal');
    if (errors.length) return invalidArguments(errors);
  }
  return null;
}

const invalidArguments = (errors: string[]): Refusal => ({
  error: 'invalid_arguments',
  body: { response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } },
  malformed: true,
  detail: errors.join('; '),
});

/** The Slack Web API methods Parley calls, answering with Slack's shapes and refusals. */
export function slackMethods(w: SlackWorkspace): Record<string, Method> {
  const find = (channel: unknown, ts: unknown) => w.posts.find((p) => p.channel === channel && p.ts === ts);
  const byApp = (fields: Pick<SlackPost, 'channel' | 'text'> & Partial<SlackPost>) =>
    w.post({ user: w.bot.userId, bot_id: w.bot.botId, ...fields });
  // A message as conversations.replies and reactions.get list it.
  const listed = (p: SlackPost, withMetadata: boolean) => ({
    ts: p.ts,
    thread_ts: p.thread_ts ?? p.ts,
    text: p.text,
    user: p.user,
    bot_id: p.bot_id,
    files: filesAsShown(w, p),
    ...(withMetadata && p.metadata ? { metadata: p.metadata } : {}),
  });

  return {
    'auth.test': () => ok({ url: w.bot.teamUrl, team_id: 'T1', user_id: w.bot.userId, bot_id: w.bot.botId }),
    // The profile's email only for a token with users:read.email (Slack leaves the field out otherwise).
    'users.info': (a, token) => {
      const foreign = w.foreignTeams[String(a.user)];
      const email = w.scopesOf(token).includes('users:read.email') ? w.emails[String(a.user)] : undefined;
      return ok({
        user: {
          id: a.user,
          team_id: foreign ?? 'T1',
          ...(foreign ? { is_stranger: true } : {}),
          profile: { email },
        },
      });
    },
    'conversations.open': (a) => ok({ channel: { id: `D_${String(a.users)}` } }),
    // Another name and icon than the app's only with chat:write.customize (Slack ignores them otherwise).
    'chat.postMessage': (a, token) => {
      const customize = w.scopesOf(token).includes('chat:write.customize');
      const p = byApp({
        channel: String(a.channel),
        thread_ts: str(a.thread_ts),
        text: String(a.text ?? ''),
        blocks: a.blocks as unknown[] | undefined,
        username: customize ? str(a.username) : undefined,
        icon_emoji: customize ? str(a.icon_emoji) : undefined,
        metadata: a.metadata as SlackPost['metadata'],
      });
      return ok({ channel: p.channel, ts: p.ts, message: listed(p, false) });
    },
    // An app may update only its own messages.
    'chat.update': (a) => {
      const p = find(a.channel, a.ts);
      if (!p) return slackError('message_not_found');
      if (p.user !== w.bot.userId) return slackError('cant_update_message');
      p.text = String(a.text ?? '');
      p.blocks = a.blocks as unknown[] | undefined;
      return ok({ channel: p.channel, ts: p.ts });
    },
    // The bot may delete only its own messages; an admin's user token may delete anyone's.
    'chat.delete': (a, token) => {
      const p = find(a.channel, a.ts);
      if (!p) return slackError('message_not_found');
      const asBot = w.identityOf(token) === w.bot.userId;
      if (asBot && p.user !== w.bot.userId) return slackError('cant_delete_message');
      w.posts.splice(w.posts.indexOf(p), 1);
      return ok({ channel: p.channel, ts: p.ts });
    },
    'chat.postEphemeral': (a) => {
      w.ephemerals.push({
        channel: String(a.channel),
        user: String(a.user),
        text: String(a.text ?? ''),
        thread_ts: str(a.thread_ts),
      });
      return ok({ message_ts: w.nextId() });
    },
    // Header first, then replies (after `oldest`), in pages of at most `pageSize`.
    'conversations.replies': (a) => {
      const parent = find(a.channel, a.ts);
      if (!parent) return slackError('thread_not_found');
      const oldest = Number(a.oldest ?? 0);
      const after = (p: SlackPost) => (a.inclusive === true ? Number(p.ts) >= oldest : Number(p.ts) > oldest);
      const all = [
        parent,
        ...w.posts.filter((p) => p.channel === a.channel && p.thread_ts === a.ts && after(p)),
      ];
      const size = Math.min(Number(a.limit ?? 200), w.pageSize);
      const start = Number(a.cursor ?? 0);
      const next = start + size < all.length ? String(start + size) : '';
      return ok({
        messages: all.slice(start, start + size).map((p) => listed(p, a.include_all_metadata === true)),
        has_more: next !== '',
        response_metadata: { next_cursor: next },
      });
    },
    // A channel's own messages (not thread replies) after `oldest`, newest first, in one page.
    'conversations.history': (a) => {
      const oldest = Number(a.oldest ?? 0);
      const top = w.posts.filter(
        (p) => p.channel === a.channel && (!p.thread_ts || p.thread_ts === p.ts) && Number(p.ts) > oldest,
      );
      const size = Math.min(Number(a.limit ?? 100), w.pageSize);
      return ok({
        messages: top
          .reverse()
          .slice(0, size)
          .map((p) => listed(p, a.include_all_metadata === true)),
        has_more: top.length > size,
      });
    },
    // Only the app reacts in these tests, so a reaction is its name (the reactor is the bot).
    'reactions.add': (a) => {
      const p = find(a.channel, a.timestamp);
      if (!p) return slackError('message_not_found');
      if (p.reactions.includes(String(a.name))) return slackError('already_reacted');
      p.reactions.push(String(a.name));
      return ok();
    },
    'reactions.remove': (a) => {
      const p = find(a.channel, a.timestamp);
      if (!p?.reactions.includes(String(a.name))) return slackError('no_reaction');
      p.reactions = p.reactions.filter((r) => r !== a.name);
      return ok();
    },
    'reactions.get': (a) => {
      const p = find(a.channel, a.timestamp);
      if (!p) return slackError('message_not_found');
      const reactions = p.reactions.map((name) => ({ name, users: [w.bot.userId], count: 1 }));
      return ok({ type: 'message', channel: p.channel, message: { ...listed(p, false), reactions } });
    },
    'views.publish': (a) => {
      w.homes.set(String(a.user_id), a.view);
      return ok({ view: { id: 'V1' } });
    },
    'views.open': (a) => {
      w.modals.push({ trigger_id: String(a.trigger_id), view: a.view as Record<string, unknown> });
      return ok({ view: { id: 'V2' } });
    },
    // Slack's upload flow: ask for a URL, send the bytes there, then share the file in a message.
    'files.getUploadURLExternal': (a, token) => {
      const id = `F${w.nextId()}`;
      w.uploads.set(id, {
        filename: String(a.filename),
        length: Number(a.length),
        uploader: w.identityOf(token),
      });
      return ok({ upload_url: `${UPLOAD_URL}${id}`, file_id: id });
    },
    'files.completeUploadExternal': (a) => {
      const asked = a.files as { id: string; title?: string }[];
      if (asked.some((f) => !w.uploads.get(f.id)?.bytes)) return slackError('file_not_found');
      const files = asked.map((f) => ({ ...f, name: w.uploads.get(f.id)!.filename }));
      byApp({
        channel: String(a.channel_id),
        thread_ts: str(a.thread_ts),
        text: String(a.initial_comment ?? ''),
        files,
      });
      return ok({ files });
    },
    // Slack's rules: a token may delete the files its user (or app) uploaded; an admin's, anyone's.
    'files.delete': (a, token) => {
      const f = w.uploads.get(String(a.file));
      if (!f) return slackError('file_not_found');
      if (f.deleted) return slackError('file_deleted');
      if (f.uploader !== w.identityOf(token) && !w.isAdmin(token)) return slackError('cant_delete_file');
      f.deleted = true;
      return ok();
    },
  };
}
