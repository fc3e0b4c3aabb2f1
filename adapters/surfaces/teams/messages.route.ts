import type { IHttpServerRequest, IHttpServerResponse } from '@microsoft/teams.apps';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError } from '../../../src/domain/errors.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import { storable } from '../../../src/use-cases/input.ts';
import { checkBotFrameworkIssuer, parseActivity } from './activity-request.ts';

/** Where Teams posts activities: the bot's messaging endpoint is `<PUBLIC_URL>/teams/messages`. */
export const MESSAGING_ENDPOINT = '/teams/messages';

export interface TeamsRouteDeps {
  /** The SDK's handler (teams-app.ts): token check, dedupe, then Parley's inbound handlers. */
  handle(request: IHttpServerRequest): Promise<IHttpServerResponse>;
  /** The `iss` a Bot Framework token of this cloud carries. */
  tokenIssuer: string;
}

/**
 * `POST /teams/messages`, in our own Hono app (no second server). The app's body limit applies
 * before anything reads the body. The request is refused here when it cannot be a Bot Framework
 * call (no token, a token from another issuer, a body that is not an activity), otherwise the
 * SDK checks the token and runs the activity, and its answer (an invoke's body) goes back as is.
 */
export function teamsRoutes(deps: TeamsRouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post(MESSAGING_ENDPOINT, async (c) => {
    const issuer = checkBotFrameworkIssuer(c.req.header('authorization'), deps.tokenIssuer);
    if (!issuer.ok) throw new AppError('unauthenticated', `The Teams request is refused: ${issuer.reason}.`);
    if (!(c.req.header('content-type') ?? '').startsWith('application/json'))
      throw new AppError('unsupported_media_type', 'Teams activities are sent as application/json.');
    // Strings PostgreSQL cannot keep (a NUL in a message or an id) are cleaned once, here.
    const body = storable(parseActivity(await c.req.text()));
    const headers = Object.fromEntries(c.req.raw.headers);
    const res = await deps.handle({ body, headers });
    const status = res.status as ContentfulStatusCode;
    return res.body === undefined || res.body === null
      ? c.body(null, status)
      : c.json(res.body as object, status);
  });
  return app;
}
