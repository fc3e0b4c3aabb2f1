import { describe, expect, it } from 'vitest';
import {
  handshakeChallenge,
  verifyWhatsAppSignature,
  whatsAppSignature,
} from '../../../adapters/channels/whatsapp/signature.ts';

const secret = 'f3b1c9d2e8a74b6c9d0e1f2a3b4c5d6e';
const body = new TextEncoder().encode('{"object":"whatsapp_business_account","entry":[]}');
const headers = (signature?: string) => new Headers(signature ? { 'x-hub-signature-256': signature } : {});
const refusal = (fn: () => void) => {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a refusal');
};

describe('X-Hub-Signature-256', () => {
  it('accepts the HMAC-SHA256 of the exact body with the app secret', () => {
    expect(() =>
      verifyWhatsAppSignature(secret, body, headers(whatsAppSignature(secret, body))),
    ).not.toThrow();
  });

  it('accepts the hex digest in upper case too', () => {
    const sig = whatsAppSignature(secret, body)
      .replace(/[a-f]/g, (c) => c.toUpperCase())
      .replace('SHA256', 'sha256');
    expect(() => verifyWhatsAppSignature(secret, body, headers(sig))).not.toThrow();
  });

  it('refuses a missing header, saying only Meta can post', () => {
    const e = refusal(() => verifyWhatsAppSignature(secret, body, headers()));
    expect(e.code).toBe('signature_invalid');
    expect(e.message).toMatch(/missing/);
  });

  it('refuses a signature made with another secret, a changed body, or a malformed header', () => {
    const changed = new TextEncoder().encode('{"object":"whatsapp_business_account","entry":[{}]}');
    for (const [b, sig] of [
      [body, whatsAppSignature('another-secret', body)],
      [changed, whatsAppSignature(secret, body)],
      [body, whatsAppSignature(secret, body).replace('sha256=', 'sha1=')],
      [body, 'sha256=abc'],
    ] as const) {
      const e = refusal(() => verifyWhatsAppSignature(secret, b, headers(sig)));
      expect(e.code).toBe('signature_invalid');
      expect(e.message).toMatch(/WHATSAPP_APP_SECRET/);
    }
  });
});

describe("Meta's verify handshake", () => {
  const q = (params: Record<string, string>) => new URLSearchParams(params);

  it('answers the challenge when the mode is subscribe and the token matches', () => {
    expect(
      handshakeChallenge(
        'my-verify-token',
        q({ 'hub.mode': 'subscribe', 'hub.verify_token': 'my-verify-token', 'hub.challenge': '1158201444' }),
      ),
    ).toBe('1158201444');
  });

  it('refuses a wrong token, a token of another length, another mode, or no challenge', () => {
    const base = { 'hub.mode': 'subscribe', 'hub.verify_token': 'my-verify-token', 'hub.challenge': '42' };
    expect(
      handshakeChallenge('my-verify-token', q({ ...base, 'hub.verify_token': 'my-verify-tokeN' })),
    ).toBeNull();
    expect(handshakeChallenge('my-verify-token', q({ ...base, 'hub.verify_token': 'x' }))).toBeNull();
    expect(handshakeChallenge('my-verify-token', q({ ...base, 'hub.mode': 'unsubscribe' }))).toBeNull();
    const { 'hub.challenge': _, ...noChallenge } = base;
    expect(handshakeChallenge('my-verify-token', q(noChallenge))).toBeNull();
  });
});
