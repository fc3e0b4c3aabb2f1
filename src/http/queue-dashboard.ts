import { createHash, timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { HonoAdapter } from '@bull-board/hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import { AppError } from '../domain/errors.ts';
import type { Queues } from '../jobs/queues.ts';
import type { AppEnv } from './env.ts';

/** Where operators open the dashboard. */
export const QUEUE_DASHBOARD_PATH = '/admin/queues';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * HTTP basic auth a browser can send: any user name, ADMIN_API_TOKEN as the password. A 401
 * carries the Basic challenge, so the browser asks for it.
 */
function basicAdminAuth(token: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const encoded = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const decoded = encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
    const password = decoded.slice(decoded.indexOf(':') + 1);
    if (!decoded.includes(':') || !timingSafeEqual(digest(password), digest(token))) {
      c.header('WWW-Authenticate', 'Basic realm="Parley queues", charset="UTF-8"');
      throw new AppError(
        'unauthenticated',
        'Sign in with any user name and the admin token (ADMIN_API_TOKEN) as the password.',
      );
    }
    // A browser sends a cached basic login with any site's requests: actions (retry, clean,
    // empty…) are taken only from the dashboard's own pages.
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && crossSite(c.req.header()))
      throw new AppError(
        'forbidden',
        'Queue actions are taken from the dashboard itself, not from another site.',
      );
    await next();
  };
}

/** A browser's request made from another site (Sec-Fetch-Site, or an Origin other than this host). */
function crossSite(headers: Record<string, string>): boolean {
  const site = headers['sec-fetch-site'];
  if (site) return site !== 'same-origin' && site !== 'none';
  const origin = headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== headers.host;
  } catch {
    return true;
  }
}

/**
 * Bull Board at /admin/queues: every queue's jobs, to look at, retry or remove. Mounted only
 * when ADMIN_API_TOKEN is set (404 otherwise). Its page, scripts and JSON API are all behind the
 * token; its scripts and styles are served from @bull-board/ui's files.
 */
export function queueDashboard(queues: Queues, token: string): Hono<AppEnv> {
  const serverAdapter = new HonoAdapter(serveStatic).setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: [...queues.byName.values()].map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Parley queues' } },
  });
  const app = new Hono<AppEnv>();
  app.use(QUEUE_DASHBOARD_PATH, basicAdminAuth(token));
  app.use(`${QUEUE_DASHBOARD_PATH}/*`, basicAdminAuth(token));
  app.route(QUEUE_DASHBOARD_PATH, serverAdapter.registerPlugin() as unknown as Hono<AppEnv>);
  return app;
}
