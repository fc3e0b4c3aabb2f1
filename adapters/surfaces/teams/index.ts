import { Hono } from 'hono';
import type { AppEnv } from '../../../src/http/env.ts';
import type { SurfaceAdapterModule } from '../../../src/ports/adapter-module.ts';
import { tellAdminsOfSetup } from './admin-notices.ts';
import { teamsCloud } from './cloud.ts';
import { createTeamsInbound } from './inbound/index.ts';
import { teamsMediaLink, teamsMediaRoutes, teamsMediaSecret } from './media.ts';
import { teamsRoutes } from './messages.route.ts';
import { createTeamsSurface } from './teams.surface.ts';
import { createTeamsApi } from './teams-api.ts';
import { createTeamsHost } from './teams-app.ts';
import { graphEndpoint } from './teams-lookup.ts';
import { createTeamsTokenSource } from './token.ts';

/**
 * Microsoft Teams (issue 10): on when TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID are
 * set. One token source (token.ts) feeds the Bot Connector client (teams-api.ts), Graph reads
 * (teams-lookup.ts) and the SDK; the surface draws conversations into Teams; the SDK app, hosted
 * in our Hono app, checks each activity's token and hands it to the inbound handlers at
 * `POST /teams/messages`; cards link files through `GET /teams/media/…`.
 */
export const teamsSurfaceModule: SurfaceAdapterModule = {
  name: 'teams',
  create(config, deps) {
    const appId = config.TEAMS_APP_ID;
    const password = config.TEAMS_APP_PASSWORD;
    const tenantId = config.TEAMS_TENANT_ID;
    if (!appId || !password || !tenantId) return null;
    const cloud = teamsCloud(config);
    const tokens = createTeamsTokenSource({
      appId,
      password,
      tenantId,
      environment: cloud.environment,
      logger: deps.logger,
    });
    const botToken = () => tokens.token();
    const api = createTeamsApi({
      serviceUrl: cloud.serviceUrl,
      token: botToken,
      tenantId,
      redis: deps.redis,
      prefix: deps.prefix,
      logger: deps.logger,
      calls: deps.vendorCalls,
    });
    const graph = config.TEAMS_GRAPH_URL
      ? { url: config.TEAMS_GRAPH_URL, scope: `${new URL(config.TEAMS_GRAPH_URL).origin}/.default` }
      : graphEndpoint(config.TEAMS_CLOUD);
    const mediaSecret = teamsMediaSecret(password);
    const mediaLink = teamsMediaLink({ secret: mediaSecret, publicUrl: config.publicUrl });
    // The surface tells admins through itself (their chat with the app): bound once it exists.
    let notify: (userId: string, text: string) => Promise<void> = async () => {};
    const onSetupError = tellAdminsOfSetup({
      em: deps.em,
      redis: deps.redis,
      prefix: deps.prefix,
      logger: deps.logger,
      notify: (userId, text) => notify(userId, text),
    });
    const surface = createTeamsSurface({
      onSetupError,
      api,
      em: deps.em,
      redis: deps.redis,
      prefix: deps.prefix,
      logger: deps.logger,
      mediaLink,
      graph: { url: graph.url, token: () => tokens.token(graph.scope), appId },
      webUrl: cloud.webUrl,
      tenantId,
    });
    notify = (userId, text) => surface.notify(userId, text);
    const inbound = createTeamsInbound({
      context: deps.context,
      em: deps.em,
      api,
      surface,
      storage: deps.storage,
      logger: deps.logger,
      config,
      redis: deps.redis,
      prefix: deps.prefix,
      botToken,
      mediaLink,
    });
    const host = createTeamsHost({
      appId,
      tenantId,
      cloud,
      tokens,
      inbound,
      em: deps.em,
      logger: deps.logger,
    });
    return {
      surface,
      routes: () =>
        new Hono<AppEnv>()
          .route('/', teamsRoutes({ handle: host.handle, tokenIssuer: cloud.environment.tokenIssuer }))
          .route('/', teamsMediaRoutes(deps.storage, mediaSecret)),
    };
  },
};
