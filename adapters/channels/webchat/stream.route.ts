import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { WebchatSession } from '../../../src/db/entities/index.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import type { WebhookDeps } from '../../../src/ports/adapter-module.ts';
import { authenticate } from './sessions.ts';
import { eventId, messagesAfter, parseCursor } from './view.ts';
import type { WebchatRuntime } from './webchat.channel.ts';

/**
 * `GET /webchat/api/stream`: Server-Sent Events. Each message event's id is its position
 * (`<conversationId>:<seq>`); a reconnect with `Last-Event-ID` first gets exactly what it missed
 * from PostgreSQL, then live messages. Subscribing comes before that first read, so nothing
 * published in between is lost; messages are always read from PostgreSQL after the cursor, so
 * nothing is sent twice. While the stream is open the visitor counts as connected (presence).
 */
export function streamRoute(runtime: WebchatRuntime, deps: WebhookDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/webchat/api/stream', async (c) => {
    const requestEm = c.get('em');
    const session = await authenticate(requestEm, c.req.header('Authorization'));
    let cursor = parseCursor(c.req.header('Last-Event-ID'));
    const widget = session.endpoint.address;
    const { address } = session;
    const streamId = randomUUID();

    return streamSSE(c, async (stream) => {
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

      const unsubscribe = await runtime.hub.subscribe(runtime.channelOf(widget, address), onWake);
      try {
        await runtime.presence.touch(widget, address, streamId);
        await requestEm.nativeUpdate(WebchatSession, { id: session.id }, { lastSeenAt: new Date() });
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
          }
          if (woken || closed) continue;
          // Quiet until a wake-up; a heartbeat comment keeps proxies from closing the connection.
          while (!closed && (await pause(runtime.heartbeatMs))) {
            await stream.write(': heartbeat\n\n');
            await runtime.presence.touch(widget, address, streamId);
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
    });
  });

  return app;
}
