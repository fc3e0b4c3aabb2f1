import { createConnection, createServer } from 'node:net';

/** The default port when it is free, else one the system hands out. */
export async function portFor(defaultUrl: string): Promise<number> {
  const wanted = portOf(defaultUrl);
  return (await listenable(wanted)) ?? ((await listenable(0)) as number);
}

function listenable(port: number): Promise<number | undefined> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(undefined));
    server.listen(port, '127.0.0.1', () => {
      const { port: got } = server.address() as { port: number };
      server.close(() => done(got));
    });
  });
}

/** Something accepts TCP connections at the URL's host and port. */
export function answers(url: string, timeoutMs = 1000): Promise<boolean> {
  const u = new URL(url);
  return new Promise((done) => {
    const socket = createConnection({ host: u.hostname.replace(/^\[|\]$/g, ''), port: portOf(url) });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

/** The URL's port, or its scheme's usual one. */
export const portOf = (url: string) => {
  const u = new URL(url);
  return Number(u.port) || (u.protocol.startsWith('redis') ? 6379 : 5432);
};
export const hostPort = (url: string) => `${new URL(url).hostname}:${portOf(url)}`;
