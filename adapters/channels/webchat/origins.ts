import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../../../src/domain/errors.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import type { WebchatSettings } from './settings.ts';

/**
 * CORS of the widget API. A preflight names no widget, so it is answered for any origin; the
 * request that follows is checked against its widget's `allowedOrigins` (allowOrigin below). A
 * widget without a list answers any origin (`*`); the API uses bearer tokens, never cookies.
 */
export const widgetApiCors = (): MiddlewareHandler<AppEnv> => async (c, next) => {
  if (c.req.method === 'OPTIONS' && c.req.header('Access-Control-Request-Method')) {
    return c.body(null, 204, {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, Last-Event-ID',
      'Access-Control-Max-Age': '600',
    });
  }
  c.header('Access-Control-Allow-Origin', '*');
  // The widget reads Retry-After to say when to try again after a 429.
  c.header('Access-Control-Expose-Headers', 'Retry-After');
  await next();
};

/**
 * Whether the page calling the API may use this widget. With `allowedOrigins` set, the response
 * names the caller's origin only when it is listed (or is Parley's own demo page), and any other
 * origin is refused with 403. Session creation requires an Origin (browsers always send one on
 * that POST); later calls check it when present (a same-origin GET carries none).
 */
export function allowOrigin(
  c: Context<AppEnv>,
  settings: WebchatSettings,
  ownOrigin: string,
  opts: { required: boolean },
): void {
  if (settings.allowedOrigins.length === 0) return;
  c.header('Vary', 'Origin');
  const origin = c.req.header('Origin');
  if (origin === undefined && !opts.required) return;
  if (origin !== undefined && (origin === ownOrigin || settings.allowedOrigins.includes(origin))) {
    c.header('Access-Control-Allow-Origin', origin);
    return;
  }
  c.header('Access-Control-Allow-Origin', undefined);
  throw new AppError(
    'forbidden',
    origin
      ? `This chat widget is not enabled for ${origin}; an admin can add the site to the widget's "allowedOrigins" setting.`
      : 'This chat widget accepts sessions only from its allowed sites (the request has no Origin header).',
    { reason: 'origin_not_allowed' },
  );
}
