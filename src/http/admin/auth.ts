import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../domain/errors.ts';

/** Hashing both sides first gives equal lengths, so the comparison time says nothing about the token. */
const digest = (s: string) => createHash('sha256').update(s).digest();
const sameToken = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

/**
 * Bearer `ADMIN_API_TOKEN`. Until the token is configured the admin API is closed (503), so a
 * deployment without one never runs with an open admin API.
 */
export function adminAuth(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (!token) {
      throw new AppError(
        'not_configured',
        'The admin API is turned off: set ADMIN_API_TOKEN (at least 24 characters) and restart Parley.',
      );
    }
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(c.req.header('authorization') ?? '');
    if (!match?.[1] || !sameToken(match[1], token)) {
      c.header('WWW-Authenticate', 'Bearer realm="parley-admin"');
      throw new AppError(
        'unauthenticated',
        'Send the admin token as "Authorization: Bearer <ADMIN_API_TOKEN>".',
      );
    }
    await next();
  };
}
