import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { AppError } from '../../../src/domain/errors.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import { storedFileHeaders } from '../../../src/http/stored-file-headers.ts';
import type { Storage } from '../../../src/ports/storage.ts';

/**
 * Twilio fetches MMS media from a URL, so an agent's attachment is served under PUBLIC_URL at
 * `/media/<key>?exp=<unix seconds>&sig=<HMAC>`: unguessable, read-only and expiring. The HMAC key
 * is TWILIO_AUTH_TOKEN, so nobody without it can mint a link. The lifetime covers Twilio's
 * longest queueing (a message's validity period is at most 10 hours).
 */
export const MEDIA_LINK_TTL_SECONDS = 12 * 3600;

const signature = (secret: string, key: string, exp: number) =>
  createHmac('sha256', secret).update(`media\n${key}\n${exp}`).digest('base64url');

export function signedMediaUrl(
  secret: string,
  publicUrl: string,
  key: string,
  now = new Date(),
  ttlSeconds = MEDIA_LINK_TTL_SECONDS,
): string {
  const exp = Math.floor(now.getTime() / 1000) + ttlSeconds;
  const path = key.split('/').map(encodeURIComponent).join('/');
  return `${publicUrl}/media/${path}?exp=${exp}&sig=${signature(secret, key, exp)}`;
}

/** Whether a link is genuine and not expired; a refusal says which. */
export function checkMediaLink(
  secret: string,
  key: string,
  exp: string | undefined,
  sig: string | undefined,
  now = new Date(),
): void {
  const expiry = Number(exp);
  if (!exp || !sig || !Number.isInteger(expiry)) {
    throw new AppError('forbidden', 'This media link is incomplete (exp and sig are required).');
  }
  const expected = Buffer.from(signature(secret, key, expiry));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError('forbidden', 'This media link is not valid.');
  }
  if (expiry * 1000 < now.getTime()) throw new AppError('forbidden', 'This media link has expired.');
}

export function mediaRoute(
  storage: Storage,
  secret: string,
  now: () => Date = () => new Date(),
): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/media/:key{.+}', async (c) => {
    const key = c.req.param('key');
    checkMediaLink(secret, key, c.req.query('exp'), c.req.query('sig'), now());
    const stored = await storage.get(key);
    if (!stored) throw new AppError('not_found', 'This attachment no longer exists.');
    // Twilio reads the media type from Content-Type, so it is kept; a browser given the link still
    // gets a sandboxed download, never a page of Parley's origin.
    return c.body(
      stored.data as Uint8Array<ArrayBuffer>,
      200,
      storedFileHeaders({
        contentType: stored.contentType,
        cacheControl: 'private, max-age=300',
        keepType: true,
      }),
    );
  });
  return app;
}
