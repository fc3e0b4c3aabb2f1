import { Hono } from 'hono';
import { AppError } from '../../../src/domain/errors.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import type { AdapterDeps, WebhookDeps } from '../../../src/ports/adapter-module.ts';
import type { CustomerChannel } from '../../../src/ports/customer-channel.ts';
import { apiRoutes } from './api.routes.ts';
import { fileRoutes } from './files.routes.ts';
import { widgetApiCors } from './origins.ts';
import { sessionRoute } from './session.route.ts';
import { streamRoute } from './stream.route.ts';
import { uploadRoute } from './upload.route.ts';
import { isWebchatChannel } from './webchat.channel.ts';
import { widgetRoutes } from './widget.routes.ts';

/**
 * Everything under /webchat: the widget script, the demo page, and the widget's API. The API is
 * called from customers' sites: it answers the sites each widget allows (`allowedOrigins`; any
 * site when the list is empty), and uses bearer session tokens, never cookies, so another site
 * cannot act for a visitor. Sessions, messages, uploads and streams are rate limited.
 */
export function webchatRoutes(channel: CustomerChannel, deps: WebhookDeps & AdapterDeps): Hono<AppEnv> {
  if (!isWebchatChannel(channel)) {
    throw new AppError('internal', 'webchatRoutes needs the channel made by createWebchatChannel.');
  }
  const { policy } = channel.runtime;
  const app = new Hono<AppEnv>();
  app.use('/webchat/api/*', widgetApiCors());
  app.route('/', widgetRoutes(deps));
  app.route('/', sessionRoute(policy));
  app.route('/', apiRoutes(channel.runtime, deps));
  app.route('/', streamRoute(channel.runtime, deps));
  app.route('/', uploadRoute(deps.storage, policy));
  app.route('/', fileRoutes(deps.storage, policy));
  return app;
}
