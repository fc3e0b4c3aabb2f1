import type { Server, ServerResponse } from 'node:http';
import { createAdaptorServer, type Http2Bindings, type HttpBindings } from '@hono/node-server';
import { onAbort, type Stop } from './shutdown.ts';
import { listenError } from './startup-errors.ts';

type Fetch = (request: Request, env: HttpBindings) => Response | Promise<Response>;

/**
 * Serves `fetch` on host:port; resolves once the port is bound (a busy port rejects with a
 * StartupError naming PORT). The returned Stop stops accepting connections, lets requests in
 * flight finish (their connections close after the response), ends live streams at once (their
 * clients reconnect, to another process), and closes whatever is still open at the deadline.
 */
export function listen(fetch: Fetch, at: { port: number; host: string }): Promise<Stop> {
  let stopping = false;
  const inFlight = new Set<ServerResponse>();
  const streams = new Set<ServerResponse>();
  const track = (set: Set<ServerResponse>, res: ServerResponse) => {
    set.add(res);
    res.once('close', () => set.delete(res));
  };
  const server = createAdaptorServer({
    fetch: async (request: Request, bindings: HttpBindings | Http2Bindings) => {
      // An HTTP/1 server (createAdaptorServer's default): its bindings are HTTP/1 ones.
      const env = bindings as HttpBindings;
      const out = env.outgoing;
      if (stopping) out.shouldKeepAlive = false;
      track(inFlight, out);
      // Sent while stopping: its keep-alive connection is now idle and closes too.
      out.once('finish', () => stopping && setImmediate(() => server.closeIdleConnections()));
      const response = await fetch(request, env);
      // A live stream (webchat) never ends on its own: it is cut when the process stops.
      if (response.headers.get('content-type')?.startsWith('text/event-stream')) {
        if (stopping) out.shouldKeepAlive = false;
        track(streams, out);
      }
      return response;
    },
  }) as Server;

  const stop: Stop = async (deadline) => {
    stopping = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Responses not yet started close their connection when sent; idle keep-alive ones close now.
    for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    server.closeIdleConnections();
    for (const res of streams) res.destroy();
    onAbort(deadline, () => server.closeAllConnections());
    await closed;
  };

  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(listenError(err, at)));
    server.listen(at.port, at.host, () => resolve(stop));
  });
}
