import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { AppError } from '../../../src/domain/errors.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import type { AdapterDeps, WebhookDeps } from '../../../src/ports/adapter-module.ts';
import type { CustomerChannel } from '../../../src/ports/customer-channel.ts';
import { apiRoutes } from './api.routes.ts';
import { fileRoutes } from './files.routes.ts';
import { streamRoute } from './stream.route.ts';
import { isWebchatChannel } from './webchat.channel.ts';
import { widgetRoutes } from './widget.routes.ts';

/**
 * Everything under /webchat: the widget script, the demo page, and the widget's API. The API is
 * called from customers' sites, so it answers any origin; it uses bearer session tokens, never
 * cookies, so another site cannot act for a visitor.
 */
export function webchatRoutes(channel: CustomerChannel, deps: WebhookDeps & AdapterDeps): Hono<AppEnv> {
  if (!isWebchatChannel(channel)) {
    throw new AppError('internal', 'webchatRoutes needs the channel made by createWebchatChannel.');
  }
  const app = new Hono<AppEnv>();
  app.use(
    '/webchat/api/*',
    cors({
      origin: '*',
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID'],
      maxAge: 600,
    }),
  );
  app.route('/', widgetRoutes(deps));
  app.route('/', apiRoutes(channel.runtime, deps));
  app.route('/', streamRoute(channel.runtime, deps));
  app.route('/', fileRoutes(deps.storage));
  return app;
}
