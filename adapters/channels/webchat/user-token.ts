import { verify } from 'hono/jwt';
import { z } from 'zod';
import type { PortalProfile } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { storable } from '../../../src/use-cases/input.ts';

/**
 * A known customer is identified by a token the site signs with the widget secret
 * (`endpoint.settings.secret`): an HS256 JWT with `sub` (the customer's id on the site), optional
 * `name` and `email`, and `exp`. The site signs it server-side and puts it in `data-user-token`.
 */
const claimsSchema = z.object({
  sub: z.string().trim().min(1).max(200),
  name: z.string().trim().max(200).optional(),
  email: z.string().trim().max(320).optional(),
  exp: z.number(),
});

/** Why a token is refused, in words the site's developer can act on. */
const reasons: Record<string, string> = {
  JwtTokenExpired: 'The user token has expired; sign a fresh one (with a later "exp") on each page load.',
  JwtTokenSignatureMismatched:
    'The user token is not signed with this widget\'s secret; sign it with HS256 and the widget\'s "secret" setting.',
  JwtAlgorithmMismatch: 'The user token must be signed with HS256.',
  JwtTokenNotBefore: 'The user token is not valid yet ("nbf" is in the future).',
  JwtTokenIssuedAt: 'The user token was issued in the future ("iat"); check the site server\'s clock.',
};

const refuse = (message: string, reason: string) =>
  new AppError('unauthenticated', message, { reason, rule: 'R7' });

export async function verifyUserToken(token: string, secret: unknown): Promise<PortalProfile> {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw refuse(
      'This widget has no secret, so it cannot identify customers. Set "secret" in the webchat endpoint\'s settings (admin API), then sign user tokens with it.',
      'no_secret',
    );
  }
  let payload: unknown;
  try {
    payload = await verify(token, secret, 'HS256');
  } catch (err) {
    const name = err instanceof Error ? err.name : '';
    throw refuse(
      reasons[name] ?? 'The user token is not a valid JWT; sign an HS256 JWT with the widget secret.',
      name === 'JwtTokenExpired' ? 'expired' : 'invalid',
    );
  }
  const claims = claimsSchema.safeParse(storable(payload));
  if (!claims.success) {
    throw refuse(
      'The user token must carry "sub" (the customer\'s id on your site) and "exp"; "name" and "email" are optional strings.',
      'bad_claims',
    );
  }
  const { sub, name, email } = claims.data;
  return { externalId: sub, ...(name ? { name } : {}), ...(email ? { email } : {}) };
}
