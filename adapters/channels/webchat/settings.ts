import { z } from 'zod';
import type { ChannelEndpoint } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { widgetStringsSchema } from './widget-strings.ts';

/** A named customer scope: what `portal@<scope>:<sub>` carries (so no ":" or "@"), short enough for it. */
export const CUSTOMER_SCOPE = /^[A-Za-z0-9_.-]{1,40}$/;

/** A web origin as a browser sends it in `Origin`: scheme, host and port, no path. */
const origin = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === v.replace(/\/$/, '');
    } catch {
      return false;
    }
  }, 'must be an origin such as https://www.example.com (scheme and host, no path)')
  .transform((v) => new URL(v).origin);

/**
 * The webchat endpoint settings this adapter reads (README, "Webchat"). Other keys (`secret`,
 * `sendRatePerSecond`) are kept as they are; `secret` is checked where a user token is verified.
 */
export const webchatSettingsSchema = z.looseObject({
  /**
   * Widgets with the same scope share their signed-in customers: `sub` is one person across
   * them. Absent, the scope is the widget itself (another widget's `sub` is someone else).
   */
  customerScope: z
    .string()
    .regex(CUSTOMER_SCOPE, 'must be 1 to 40 letters, digits, "_", "." or "-"')
    .optional(),
  /** Sites allowed to embed the widget; empty or absent allows any site. */
  allowedOrigins: z.array(origin).max(100).default([]),
  /** The widget's own texts per language, over the shipped ones (widget-strings.ts). */
  strings: widgetStringsSchema.optional(),
});
export type WebchatSettings = z.output<typeof webchatSettingsSchema>;

/** The widget's settings, or a 503 naming what an admin must fix (the widget is not usable meanwhile). */
export function webchatSettings(endpoint: Pick<ChannelEndpoint, 'address' | 'settings'>): WebchatSettings {
  const parsed = webchatSettingsSchema.safeParse(settingsObject(endpoint.settings));
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  throw new AppError(
    'not_configured',
    `The chat is not available right now: the webchat widget "${endpoint.address}" has invalid settings (${issues}); an admin must fix them with the admin API.`,
    { widget: endpoint.address },
  );
}

/**
 * The settings as an object. An endpoint created without settings can hold the JSON string "{}"
 * (the column's default as the ORM writes it): that is no settings, not invalid ones.
 */
export const settingsObject = (settings: unknown): Record<string, unknown> =>
  settings && typeof settings === 'object' && !Array.isArray(settings)
    ? (settings as Record<string, unknown>)
    : {};
