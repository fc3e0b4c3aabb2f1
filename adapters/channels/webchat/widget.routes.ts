import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { ChannelEndpoint, Group } from '../../../src/db/entities/index.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import type { WebhookDeps } from '../../../src/ports/adapter-module.ts';
import { storable } from '../../../src/use-cases/input.ts';
import { demoPage } from './demo-page.ts';
import { shippedStrings } from './widget-strings.ts';

/**
 * The widget's browser code: plain JavaScript, served as written (no build step) but for one
 * thing: its shipped texts (widget/strings.json, also the list the `strings` setting is checked
 * against) go in for the `__PARLEY_STRINGS__` placeholder.
 */
const PLACEHOLDER = 'const SHIPPED = __PARLEY_STRINGS__;';
const widgetFile = readFileSync(new URL('./widget/widget.js', import.meta.url), 'utf8');
if (!widgetFile.includes(PLACEHOLDER)) throw new Error(`widget/widget.js has lost its line "${PLACEHOLDER}"`);
const widgetSource = Buffer.from(
  widgetFile.replace(PLACEHOLDER, () => `const SHIPPED = ${JSON.stringify(shippedStrings)};`),
);
const widgetEtag = `"${createHash('sha256').update(widgetSource).digest('base64url').slice(0, 27)}"`;

/** `GET /webchat/widget.js` (cached a day, revalidated by ETag) and `GET /webchat/demo`. */
export function widgetRoutes(deps: WebhookDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/webchat/widget.js', (c) => {
    const headers = {
      ETag: widgetEtag,
      'Cache-Control': 'public, max-age=86400, stale-while-revalidate=604800',
      'Content-Type': 'text/javascript; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
    };
    const match = c.req
      .header('If-None-Match')
      ?.split(',')
      .map((t) => t.trim().replace(/^W\//, ''));
    if (match?.includes(widgetEtag)) return c.body(null, 304, headers);
    return c.body(widgetSource, 200, headers);
  });

  app.get('/webchat/demo', async (c) => {
    const em = c.get('em');
    // A NUL cannot be in a widget name, and must not reach PostgreSQL.
    const requested = storable(c.req.query('widget'));
    const endpoint = await em.findOne(
      ChannelEndpoint,
      requested ? { channel: 'webchat', address: requested } : { channel: 'webchat' },
      { orderBy: { createdAt: 'asc', address: 'asc' } },
    );
    const group = endpoint ? await em.findOneOrFail(Group, endpoint.group.id) : null;
    const widget =
      endpoint && group ? { address: endpoint.address, name: endpoint.name, groupName: group.name } : null;
    return c.html(demoPage(widget, deps.config.publicUrl, requested), widget ? 200 : 404);
  });

  return app;
}
