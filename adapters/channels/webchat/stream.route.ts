import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import { AppError } from '../../../src/domain/errors.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import type { WebhookDeps } from '../../../src/ports/adapter-module.ts';
import { authenticate, touchSession } from './sessions.ts';
import {
  currentConversation,
  eventId,
  messagesAfter,
  parseCursor,
  type Receipts,
  receiptsOf,
} from './view.ts';
import type { WebchatRuntime } from './webchat.channel.ts';

/** How often an open stream looks at the marks of the visitor's messages not read yet. */
const RECEIPTS_POLL_MS = 5_000;

/** When a refused stream may try again: a slot frees as soon as another tab closes its stream. */
const STREAM_RETRY_SECONDS = 10;

/**
 * `GET /webchat/api/stream`: Server-Sent Events. Each message event's id is its position
 * (`<conversationId>:<seq>`); a reconnect with `Last-Event-ID` first gets exactly what it missed
 * from PostgreSQL, then live messages. Subscribing comes before that first read, so nothing
 * published in between is lost; messages are always read from PostgreSQL after the cursor, so
 * nothing is sent twice. While the stream is open the visitor counts as connected (presence).
 * A session holds at most WEBCHAT_STREAMS_PER_SESSION streams at once (429 beyond).
 */
export function streamRoute(runtime: WebchatRuntime, deps: WebhookDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/webchat/api/stream', async (c) => {
    const requestEm = c.get('em');
    const { policy } = runtime;
    const { session } = await authenticate(c, policy);
    let cursor = parseCursor(c.req.header('Last-Event-ID'));
    const widget = session.endpoint.address;
    const { address } = session;
    const streamId = randomUUID();
    if (!(await policy.streamSlots.take(session.id, streamId))) {
      throw new AppError(
        'rate_limited',
        `This chat is open in too many tabs or windows (at most ${deps.config.WEBCHAT_STREAMS_PER_SESSION}). Close one of them, or wait a moment and try again.`,
        { limit: 'streams_per_session', retryAfterSeconds: STREAM_RETRY_SECONDS },
      );
    }
    let lastSeenAt = Date.now();
    /** At each heartbeat: the stream still counts (cap, presence), and so does its session. */
    const keepAlive = async () => {
      await policy.streamSlots.refresh(session.id, streamId);
      await runtime.presence.touch(widget, address, streamId);
      if (Date.now() - lastSeenAt < policy.lastSeenRefreshMs) return;
      lastSeenAt = Date.now();
      await touchSession(requestEm.fork(), session.id, policy);
    };

    return streamSSE(c, (stream) => streamTo(stream).finally(release));
    async function release() {
      await policy.streamSlots
        .release(session.id, streamId)
        .catch((err) => deps.logger.warn({ err }, 'webchat stream slot not released; it expires'));
    }
    async function streamTo(stream: SSEStreamingApi) {
      let closed = false;
      let woken = false;
      let interrupt: (() => void) | null = null;
      const onWake = () => {
        woken = true;
        interrupt?.();
      };
      stream.onAbort(() => {
        closed = true;
        interrupt?.();
      });
      /** Resolves true after `ms`, false as soon as a wake-up or the end of the stream comes. */
      const pause = (ms: number) =>
        new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => {
            interrupt = null;
            resolve(true);
          }, ms);
          interrupt = () => {
            clearTimeout(timer);
            interrupt = null;
            resolve(false);
          };
        });

      /**
       * The visitor's conversation the receipts are about: the one of the last message this stream
       * sent (never the Last-Event-ID's, which is the browser's word), or their latest one.
       */
      let own: string | null = null;
      let receipts: Receipts | null = null;
      const marksPending = () => !!receipts && receipts.readSeq < receipts.customerSeq;
      const sendReceipts = async () => {
        const em = requestEm.fork();
        own ??= (await currentConversation(em, session))?.conversationId ?? null;
        if (!own) return;
        const now = await receiptsOf(em, own);
        if (JSON.stringify(now) === JSON.stringify(receipts)) return;
        receipts = now;
        await stream.writeSSE({ event: 'receipts', data: JSON.stringify(now) });
      };

      const unsubscribe = await runtime.hub.subscribe(runtime.channelOf(widget, address), onWake);
      try {
        await runtime.presence.touch(widget, address, streamId);
        await stream.writeSSE({
          event: 'ready',
          data: JSON.stringify({ heartbeatMs: runtime.heartbeatMs }),
          retry: 3000,
        });
        while (!closed) {
          woken = false;
          for (const m of await messagesAfter(requestEm.fork(), session, cursor)) {
            await stream.writeSSE({ event: 'message', id: eventId(m), data: JSON.stringify(m) });
            cursor = { conversationId: m.conversationId, seq: m.seq };
            own = m.conversationId;
          }
          await sendReceipts();
          if (woken || closed) continue;
          // Quiet until a wake-up; a heartbeat comment keeps proxies from closing the connection.
          // Marks change without a wake-up (the mirror posts, an agent reads): while one of the
          // visitor's messages is not marked read, they are looked at every RECEIPTS_POLL_MS.
          let sinceBeat = 0;
          while (!closed) {
            const step = marksPending()
              ? Math.min(RECEIPTS_POLL_MS, runtime.heartbeatMs)
              : runtime.heartbeatMs;
            if (!(await pause(step))) break;
            sinceBeat += step;
            if (sinceBeat >= runtime.heartbeatMs) {
              sinceBeat = 0;
              await stream.write(': heartbeat\n\n');
              await keepAlive();
            }
            if (marksPending()) await sendReceipts();
          }
        }
      } catch (err) {
        // Logged, never written to the browser; the widget reconnects and resumes.
        if (!closed) deps.logger.error({ err, sessionId: session.id }, 'webchat stream failed');
      } finally {
        await unsubscribe();
        await runtime.presence
          .leave(widget, address, streamId)
          .catch((err) => deps.logger.warn({ err }, 'webchat presence update failed'));
      }
    }
  });

  return app;
}
