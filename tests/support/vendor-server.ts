import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse, type RequestHandler } from 'msw';

/**
 * A vendor fake (msw handlers, such as fakeSlack's) served over real HTTP on 127.0.0.1, for a
 * Parley running in another process: msw intercepts only this process's own requests. A request
 * to `http://127.0.0.1:<port>/<path>` is answered as if it had been sent to `<origin>/<path>`;
 * one no handler answers gets 404 and is kept in `unhandled`, for the test to assert there were none.
 */
export async function serveVendorFake(handlers: RequestHandler[], origin: string) {
  const unhandled: string[] = [];
  const server = createServer(async (req, res) => {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value])
          headers.append(name, v);
      }
      const method = req.method ?? 'GET';
      const request = new Request(new URL(req.url ?? '/', origin), {
        method,
        headers,
        body: method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks),
      });
      const response = await getResponse(handlers, request);
      if (!response || response.type === 'error') {
        if (!response) unhandled.push(`${method} ${req.url}`);
        // A scripted network failure drops the connection, as the network would.
        if (response) return req.socket.destroy();
        res.writeHead(404, { 'content-type': 'text/plain' }).end(`no fake answers ${method} ${req.url}`);
        return;
      }
      const out: Record<string, string> = {};
      response.headers.forEach((v, k) => {
        out[k] = v;
      });
      res.writeHead(response.status, out).end(Buffer.from(await response.arrayBuffer()));
    } catch (err) {
      unhandled.push(`${req.method} ${req.url}: ${String(err)}`);
      res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    /** Where the fake listens (no trailing slash). */
    url,
    unhandled,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
