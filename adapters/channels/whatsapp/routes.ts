import { Hono } from 'hono';
import { AppError } from '../../../src/domain/errors.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import { ingest, rawRequest } from '../../../src/http/webhooks/ingest.ts';
import type { AdapterDeps, WebhookDeps } from '../../../src/ports/adapter-module.ts';
import type { CustomerChannel } from '../../../src/ports/customer-channel.ts';
import { handshakeChallenge } from './signature.ts';

/** `GET /webhooks/whatsapp`: Meta's subscription handshake. `POST`: messages and statuses. */
export function whatsappRoutes(channel: CustomerChannel, deps: WebhookDeps & AdapterDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/webhooks/whatsapp', (c) => {
    const verifyToken = deps.config.WHATSAPP_VERIFY_TOKEN;
    if (!verifyToken) {
      throw new AppError(
        'not_configured',
        'Set WHATSAPP_VERIFY_TOKEN to the verify token entered in the Meta app.',
      );
    }
    const challenge = handshakeChallenge(verifyToken, new URL(c.req.url).searchParams);
    if (challenge === null) {
      throw new AppError(
        'forbidden',
        'The WhatsApp webhook handshake failed: hub.mode must be "subscribe" and hub.verify_token must equal WHATSAPP_VERIFY_TOKEN.',
      );
    }
    return c.text(challenge, 200);
  });

  app.post('/webhooks/whatsapp', async (c) => {
    const raw = await rawRequest(c, deps.config.publicUrl);
    const result = await ingest(deps, channel, raw);
    // Everything is committed: answer at once, Meta retries anything not answered 200 quickly.
    return c.json({ ok: true, ...result }, 200);
  });

  return app;
}
