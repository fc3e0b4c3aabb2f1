import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../../src/domain/errors.ts';

/**
 * Meta signs every webhook POST with the app secret: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256
 * of the raw body>`. Pure: a function of the secret, the exact bytes received and the headers.
 */
export function verifyWhatsAppSignature(appSecret: string, body: Uint8Array, headers: Headers): void {
  const header = headers.get('x-hub-signature-256')?.trim() ?? '';
  if (!header) {
    throw new AppError(
      'signature_invalid',
      'The X-Hub-Signature-256 header is missing; only Meta can post here.',
    );
  }
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header);
  const expected = createHmac('sha256', appSecret).update(body).digest();
  const given = match ? Buffer.from(match[1]!, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError(
      'signature_invalid',
      'The X-Hub-Signature-256 signature does not match the body; check that WHATSAPP_APP_SECRET is the app secret of the Meta app sending this webhook.',
    );
  }
}

/** The signature header Meta would send for `body` (tests and the curl walkthrough use it). */
export const whatsAppSignature = (appSecret: string, body: string | Uint8Array): string =>
  `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;

/**
 * Meta's subscription handshake: `hub.mode=subscribe` and `hub.verify_token` equal to ours.
 * Returns the challenge to echo, or null to refuse. Both tokens are hashed first so the
 * comparison takes the same time whatever their lengths.
 */
export function handshakeChallenge(verifyToken: string, query: URLSearchParams): string | null {
  const mode = query.get('hub.mode');
  const token = query.get('hub.verify_token') ?? '';
  const challenge = query.get('hub.challenge');
  if (mode !== 'subscribe' || challenge === null) return null;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(token), digest(verifyToken)) ? challenge : null;
}
