import { createHmac } from 'node:crypto';
import { Hono } from 'hono';
import type { AppEnv } from '../../../src/http/env.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { mediaRoute, signedMediaUrl } from '../../channels/sms/media-route.ts';
import type { MediaLink } from './cards/item-parts.ts';

/**
 * Files in Teams cards (R28): a bot cannot upload into a channel's files without Graph write
 * permissions, so a customer's image is shown inline and any other file offered as a link, both
 * to Parley's signed media URLs under PUBLIC_URL: `/teams/media/<key>?exp=…&sig=…` (the same
 * signing and serving as the SMS channel's media links, with a key of Teams' own). A link works
 * for TEAMS_MEDIA_TTL_SECONDS; after that the card still names the file and the file is in
 * Parley. A removed thread (R31, R24) loses its cards, but a link copied before keeps working
 * until it expires: the lifetime is kept to a week for that reason.
 */
export const TEAMS_MEDIA_TTL_SECONDS = 7 * 24 * 3600;

/** The key media links are signed with, derived from the app's secret (never the secret itself). */
export const teamsMediaSecret = (appPassword: string): string =>
  createHmac('sha256', appPassword).update('parley teams media links').digest('base64url');

export function teamsMediaLink(opts: { secret: string; publicUrl: string; now?: () => Date }): MediaLink {
  return (a) =>
    a.storageKey
      ? signedMediaUrl(
          opts.secret,
          `${opts.publicUrl}/teams`,
          a.storageKey,
          opts.now?.() ?? new Date(),
          TEAMS_MEDIA_TTL_SECONDS,
        )
      : null;
}

/** `GET /teams/media/<key>`: serves a stored file to whoever holds a valid link. */
export function teamsMediaRoutes(storage: Storage, secret: string): Hono<AppEnv> {
  return new Hono<AppEnv>().route('/teams', mediaRoute(storage, secret));
}
