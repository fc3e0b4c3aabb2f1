import { User } from '../../../src/db/entities/index.ts';
import type { SurfaceAdapterModule } from '../../../src/ports/adapter-module.ts';
import { loadDigestData } from '../../../src/queries/digest-data.ts';
import { loadHomeData } from '../../../src/queries/home-data.ts';
import { createBoltApp } from './bolt-app.ts';
import { digestMessage } from './digest-message.ts';
import { slackRoutes } from './events.route.ts';
import { isRecentHomeViewer, loadHomeFilters } from './home-filters-store.ts';
import { homeView } from './home-view.ts';
import { inactiveText, notLinkedHome } from './not-linked-home.ts';
import { createSlackSurface } from './slack.surface.ts';
import { createSlackApi } from './slack-api.ts';
import { slackFileHosts } from './slack-files.ts';
import { sweepMissedReplies } from './sweep.ts';

/** App Home is redrawn after changes only for people who opened it within this window. */
const HOME_VIEWER_WINDOW_MS = 24 * 3600_000;

/**
 * Slack (issue 4): on when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set. Draws conversations
 * into threads (slack.surface.ts), takes events, `/parley` and buttons at `POST /slack/events`
 * (events.route.ts → Bolt), and sweeps recent threads for replies Slack never sent as events.
 */
export const slackSurfaceModule: SurfaceAdapterModule = {
  name: 'slack',
  create(config, deps) {
    const botToken = config.SLACK_BOT_TOKEN;
    const signingSecret = config.SLACK_SIGNING_SECRET;
    if (!botToken || !signingSecret) return null;
    const api = createSlackApi({
      token: botToken,
      apiUrl: config.SLACK_API_URL,
      redis: deps.redis,
      prefix: deps.prefix,
      calls: deps.vendorCalls,
      onSetupError: (method, code, whatToDo) =>
        deps.logger.warn({ method, code }, `Slack refused ${method} (${code}): ${whatToDo}`),
    });
    const store = { redis: deps.redis, prefix: deps.prefix };
    const teamUrl = () => api.teamUrl().catch(() => null);
    const surface = createSlackSurface({
      api,
      storage: deps.storage,
      logger: deps.logger,
      userToken: config.SLACK_USER_TOKEN,
      redis: deps.redis,
      prefix: deps.prefix,
      loadUserSlackId: async (userId) => (await deps.em().findOne(User, userId))?.slackUserId ?? null,
      renderHome: async (userId, opts) => {
        // A forced redraw (access changed, R34) reaches people who have not looked lately too.
        if (!opts?.force && !(await isRecentHomeViewer(store, userId, HOME_VIEWER_WINDOW_MS))) return null;
        const data = await loadHomeData(deps.em(), userId, await loadHomeFilters(store, userId));
        if (!data) return opts?.force ? notLinkedHome(inactiveText) : null;
        return homeView(data, { teamUrl: await teamUrl() });
      },
      renderDigest: async (groupId) => {
        const data = await loadDigestData(deps.em(), groupId);
        if (!data?.slackChannelId) return null;
        return {
          channel: data.slackChannelId,
          ...digestMessage(data, { teamUrl: await teamUrl(), now: new Date() }),
        };
      },
    });
    const handlerDeps = {
      context: deps.context,
      em: deps.em,
      api,
      storage: deps.storage,
      surface,
      redis: deps.redis,
      prefix: deps.prefix,
      logger: deps.logger,
      botToken,
      fileHosts: slackFileHosts(config.SLACK_API_URL),
    };
    const bolt = createBoltApp({
      ...handlerDeps,
      apiUrl: config.SLACK_API_URL,
      identity: async () => {
        const id = await api.identity();
        return { botId: id.botId, botUserId: id.botUserId };
      },
    });
    return {
      surface,
      routes: () =>
        slackRoutes({ signingSecret, bolt, redis: deps.redis, prefix: deps.prefix, logger: deps.logger }),
      sweep: async () => {
        await sweepMissedReplies(handlerDeps, (await api.identity()).botUserId);
      },
    };
  },
};
