import { Hono } from 'hono';
import type { AppEnv } from '../../../src/http/env.ts';
import { ingest, rawRequest } from '../../../src/http/webhooks/ingest.ts';
import type { AdapterDeps, WebhookDeps } from '../../../src/ports/adapter-module.ts';
import type { CustomerChannel } from '../../../src/ports/customer-channel.ts';
import { mediaRoute } from './media-route.ts';

/** An empty TwiML document: Parley answers customers from Slack or Teams, never automatically here. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/**
 * Twilio's two webhooks and the media links MMS replies point at. Each webhook answers 2xx only
 * after `ingest` has committed; a bad signature, a malformed form or an unknown number gets a 4xx
 * with the reason and writes nothing.
 */
export function smsRoutes(
  channel: CustomerChannel,
  deps: WebhookDeps & AdapterDeps,
  authToken: string,
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/webhooks/twilio/sms', async (c) => {
    await ingest(deps, channel, await rawRequest(c, deps.config.publicUrl));
    return c.body(EMPTY_TWIML, 200, { 'Content-Type': 'text/xml; charset=utf-8' });
  });
  app.post('/webhooks/twilio/status', async (c) => {
    await ingest(deps, channel, await rawRequest(c, deps.config.publicUrl));
    return c.body(null, 204);
  });
  app.route('/', mediaRoute(deps.storage, authToken));
  return app;
}
