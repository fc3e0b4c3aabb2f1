import { createHash } from 'node:crypto';
import type { WebchatSettings } from './settings.ts';

/**
 * The webchat addresses a visitor speaks as (ContactIdentity.address, channel `webchat`):
 * - `session:<id>`: an anonymous visitor, one per session;
 * - `portal@<scope>:<sub>`: a customer the site signed in, within a customer scope (R7, R16);
 * - `portal:<id>`: a portal customer an admin declared (the contact's `portalProfile`), in no scope.
 * The scope never contains ":" or "@", and a declared id may contain anything, so the two portal
 * forms can never be mistaken for one another.
 */
export const anonymousAddress = (sessionId: string) => `session:${sessionId}`;
export const scopedAddress = (scope: string, sub: string) => `portal@${scope}:${sub}`;
/**
 * As src/setup/contacts.ts writes it for a portal profile (not imported: the setup schemas must
 * load after @hono/zod-openapi has extended zod).
 */
export const declaredAddress = (externalId: string) => `portal:${externalId}`;

/** Room left for the scope in a 255-character address after `portal@`, `:` and a 200-character sub. */
const MAX_SCOPE = 40;

/**
 * A widget's own scope (its default): its address, made safe for the address format. A long
 * address becomes a digest, so the address always fits its column.
 */
export function widgetScope(widgetAddress: string): string {
  const safe = encodeURIComponent(widgetAddress);
  if (safe.length <= MAX_SCOPE) return safe;
  return `h.${createHash('sha256').update(widgetAddress).digest('hex').slice(0, 32)}`;
}

/** The scope a widget's signed-in customers live in: the named shared scope, else the widget's own. */
export const customerScopeOf = (widgetAddress: string, settings: Pick<WebchatSettings, 'customerScope'>) =>
  settings.customerScope ?? widgetScope(widgetAddress);

/** A customer the widget can reach when they are away: anyone but an anonymous visitor (R7). */
export const isKnownCustomer = (address: string) =>
  address.startsWith('portal:') || address.startsWith('portal@');

/**
 * What a visitor's live streams and presence are keyed by, per widget: on one widget the site's
 * user id is one person, whichever of their identities a reply is addressed to (a contact keeps
 * the admin's declared `portal:<id>` beside the scoped identity it was linked to).
 */
export function liveKey(address: string): string {
  const scoped = /^portal@[^:]*:(.*)$/s.exec(address);
  return scoped ? `portal:${scoped[1]}` : address;
}
