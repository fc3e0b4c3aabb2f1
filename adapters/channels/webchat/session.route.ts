import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../../../src/http/env.ts';
import { parseInput } from '../../../src/use-cases/input.ts';
import { clientIp } from './client-ip.ts';
import { allowOrigin } from './origins.ts';
import type { WebchatPolicy } from './policy.ts';
import { readJson } from './read-json.ts';
import { createSession, findWidget } from './sessions.ts';
import { webchatSettings } from './settings.ts';
import { verifyUserToken } from './user-token.ts';
import { widgetInfo } from './widget-info.ts';

const settingsQuery = z.object({ widget: z.string().min(1).max(200) });

const sessionBody = z.object({
  widget: z.string().min(1).max(200),
  userToken: z.string().min(1).max(4096).optional(),
});

/**
 * `POST /webchat/api/sessions`: a visitor opens the widget. Checked in order of cost, and every
 * refusal comes before anything is written: the client's rate, the body, the widget and its
 * allowed sites, the user token, then the widget's rate.
 */
export function sessionRoute(policy: WebchatPolicy): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/webchat/api/sessions', async (c) => {
    const em = c.get('em');
    await policy.limits.count('sessions', 'ip', clientIp(c, policy.trustProxyHops));
    const input = await readJson(c, sessionBody);
    const endpoint = await findWidget(em, input.widget);
    const settings = webchatSettings(endpoint);
    allowOrigin(c, settings, policy.ownOrigin, { required: true });
    const profile = input.userToken ? await verifyUserToken(input.userToken, endpoint.settings.secret) : null;
    await policy.limits.count('sessions', 'widget', endpoint.address);
    const { token, session } = await createSession(em, endpoint, settings, profile);
    return c.json(
      {
        token,
        sessionId: session.id,
        identified: session.identified,
        name: session.profile?.name ?? null,
        widget: await widgetInfo(em, endpoint, settings, new Date()),
      },
      201,
    );
  });

  /**
   * `GET /webchat/api/settings?widget=<address>`: the greeting, availability and texts, for a page
   * that has a session already (or none yet). No session needed: nothing in it is the visitor's.
   */
  app.get('/webchat/api/settings', async (c) => {
    const em = c.get('em');
    const input = parseInput(settingsQuery, { widget: c.req.query('widget') });
    const endpoint = await findWidget(em, input.widget);
    const settings = webchatSettings(endpoint);
    allowOrigin(c, settings, policy.ownOrigin, { required: false });
    c.header('Cache-Control', 'no-store');
    return c.json(await widgetInfo(em, endpoint, settings, new Date()));
  });
  return app;
}
