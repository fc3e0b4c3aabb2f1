import { sign } from 'hono/jwt';
import { createWebchatAdapter } from '../../../adapters/channels/webchat/index.ts';
import { isWebchatChannel, type WebchatChannel } from '../../../adapters/channels/webchat/webchat.channel.ts';
import { ChannelEndpoint, Message } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { deliverMessage } from '../../../src/use-cases/deliver-message.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { seedWorkspace } from '../../support/fixtures.ts';
import { createTestApp } from '../../support/test-app.ts';
import { type TestDb, testRedisPrefix } from '../../support/test-db.ts';

export const WIDGET_SECRET = 'webchat-secret-0b7f3e9d2a6c4f18';

/**
 * In-process requests have no socket, so they would all count as one client "unknown": the rate
 * limits are off here unless a test turns one on (`env`), and then it names the client (`ip`).
 */
const NO_LIMITS = {
  WEBCHAT_SESSIONS_PER_IP_PER_MINUTE: '0',
  WEBCHAT_SESSIONS_PER_WIDGET_PER_MINUTE: '0',
  WEBCHAT_MESSAGES_PER_IP_PER_MINUTE: '0',
  WEBCHAT_MESSAGES_PER_WIDGET_PER_MINUTE: '0',
  WEBCHAT_UPLOADS_PER_IP_PER_MINUTE: '0',
  WEBCHAT_UPLOADS_PER_WIDGET_PER_MINUTE: '0',
};

export interface CallOptions {
  /** The client's address, as the socket would give it. */
  ip?: string;
}

/**
 * The real app with the webchat adapter mounted, on this file's database and a private Redis
 * prefix, a widget `wid_support` with a secret, and helpers that speak to the API like the
 * widget does. The heartbeat is short so streams re-read quickly; a closed stream leaves at once.
 */
export async function webchatHarness(
  db: TestDb,
  opts: { storage?: Storage; heartbeatMs?: number; env?: Record<string, string> } = {},
) {
  const prefix = testRedisPrefix();
  /** Another Parley web process on the same database and Redis (for fan-out across processes). */
  const otherProcess = () =>
    createTestApp({
      db,
      modules: [createWebchatAdapter({ heartbeatMs: opts.heartbeatMs ?? 250, leaveGraceMs: 0 })],
      env: { ...NO_LIMITS, REDIS_PREFIX: prefix, ...opts.env },
      storage: opts.storage,
    });
  const t = otherProcess();
  const ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(ChannelEndpoint, { id: ws.webchat.id }, { settings: { secret: WIDGET_SECRET } });
  const channel = t.channels.get('webchat');
  if (!channel || !isWebchatChannel(channel)) throw new Error('the webchat channel is not built');

  const call = (
    method: string,
    path: string,
    token?: string | null,
    body?: unknown,
    headers = {},
    options: CallOptions = {},
  ) =>
    t.app.request(
      path,
      {
        method,
        headers: {
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      fromSocket(options.ip),
    );

  /**
   * A new session; with `user`, a signed-in customer (a token signed with `secret`, the widget
   * secret by default), on `widget` (`wid_support` by default).
   */
  const session = async (
    user?: { sub: string; name?: string; email?: string },
    on: { widget?: string; secret?: string; ip?: string } = {},
  ) => {
    const signed = user ? await userToken(user, { secret: on.secret }) : undefined;
    const res = await call(
      'POST',
      '/webchat/api/sessions',
      null,
      { widget: on.widget ?? 'wid_support', userToken: signed },
      {},
      { ip: on.ip },
    );
    if (res.status !== 201) throw new Error(`session refused: ${res.status} ${await res.text()}`);
    return (await res.json()) as { token: string; sessionId: string; identified: boolean };
  };

  let counter = 0;
  /** The visitor writes; returns the API's answer. */
  const write = async (token: string, text: string, extra: Record<string, unknown> = {}) => {
    const res = await call('POST', '/webchat/api/messages', token, {
      text,
      clientMessageId: `c${++counter}`,
      ...extra,
    });
    return { status: res.status, body: (await res.json()) as WriteAnswer };
  };

  const history = async (token: string, after?: number) => {
    const res = await call(
      'GET',
      `/webchat/api/history${after !== undefined ? `?after=${after}` : ''}`,
      token,
    );
    return (await res.json()) as {
      conversationId: string | null;
      messages: WidgetMessageJson[];
      lastEventId: string;
    };
  };

  /** Alice replies through the sendReply use-case; the reply is then delivered by the deliver step. */
  const reply = async (conversationId: string, text: string) => {
    const r = await sendReply(t.context(), userActor(ws.alice.id), { conversationId, text });
    return { messageId: r.messageId, delivery: await deliver(r.messageId) };
  };
  const deliver = (messageId: string) => deliverMessage({ em: db.em(), channels: t.channels }, messageId);
  const message = (id: string) => db.em().findOneOrFail(Message, id);

  /** Another webchat widget of the account (in `group`, Support by default). */
  const addWidget = async (address: string, settings: Record<string, unknown>, group = ws.group) => {
    const em = db.em();
    em.create(ChannelEndpoint, {
      account: ws.account.id,
      group: group.id,
      channel: 'webchat',
      address,
      name: address,
      settings,
    });
    await em.flush();
  };
  /** Replaces a widget's settings, as the admin API does. */
  const setWidgetSettings = (address: string, settings: Record<string, unknown>) =>
    db.em().nativeUpdate(ChannelEndpoint, { channel: 'webchat', address }, { settings });

  return {
    ...t,
    ws,
    channel: channel as WebchatChannel,
    otherProcess,
    call,
    session,
    write,
    history,
    reply,
    deliver,
    message,
    addWidget,
    setWidgetSettings,
  };
}

/** What @hono/node-server gives a request: its socket (getConnInfo reads the peer address from it). */
export const fromSocket = (ip?: string) => (ip ? { incoming: { socket: { remoteAddress: ip } } } : undefined);

export interface WriteAnswer {
  messageId: string;
  conversationId: string;
  duplicate: boolean;
  error?: { code: string; message: string };
}

export interface WidgetMessageJson {
  id: string;
  conversationId: string;
  seq: number;
  from: 'customer' | 'agent' | 'ai';
  text: string | null;
  attachments: { id: string; kind: string; name?: string; available: boolean }[];
  /** R42: a rating request. */
  survey?: { id: string };
}

export const userToken = (
  claims: { sub: string; name?: string; email?: string },
  opts: { secret?: string; expiresIn?: number } = {},
) =>
  sign(
    { ...claims, exp: Math.floor(Date.now() / 1000) + (opts.expiresIn ?? 600) },
    opts.secret ?? WIDGET_SECRET,
    'HS256',
  );

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** Reads a Server-Sent Events response the way a browser does, one event at a time. */
export function sseReader(res: Response) {
  if (!res.body) throw new Error('the stream has no body');
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const next = async (): Promise<SseEvent> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const e: SseEvent = { event: 'message', data: '' };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':') || !line) continue;
          const [field, ...rest] = line.split(':');
          const value = rest.join(':').replace(/^ /, '');
          if (field === 'event') e.event = value;
          else if (field === 'id') e.id = value;
          else if (field === 'data') data.push(value);
        }
        if (data.length === 0 && e.event === 'message') continue; // a heartbeat comment
        e.data = data.join('\n');
        return e;
      }
      const { done, value } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
  /** The next `count` message events (heartbeats and other events skipped). */
  const messages = async (count: number) => {
    const out: (WidgetMessageJson & { eventId?: string })[] = [];
    while (out.length < count) {
      const e = await next();
      if (e.event === 'message') out.push({ ...(JSON.parse(e.data) as WidgetMessageJson), eventId: e.id });
    }
    return out;
  };
  return { next, messages, close: () => reader.cancel() };
}
