import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Browser, chromium } from 'playwright-core';

/**
 * What the browser tests share: Debian's Chromium (headless, driven by playwright-core), and the
 * app on a port of its own, since a browser needs a real address.
 */
export const CHROMIUM = '/usr/bin/chromium';

/** Fails the test file at once, saying how to get Chromium, when it is not installed. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium). CI installs it.`,
    );
}

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      ...extraArgs,
    ],
  });
}

/**
 * Serves `fetch` on a free port of 127.0.0.1. `fetch` is called per request, so the app may be
 * made after the server (it needs the address for PUBLIC_URL).
 */
export async function servedOnPort(fetch: (req: Request, env: unknown) => Response | Promise<Response>) {
  const server = serve({ fetch: (req, env) => fetch(req, env), port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () =>
    new Promise<void>((resolve) => {
      if ('closeAllConnections' in server) server.closeAllConnections();
      server.close(() => resolve());
    });
  return { base, close };
}
