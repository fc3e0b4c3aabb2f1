import { App, type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../../../src/logger.ts';
import { registerAiDraftActions } from './ai-draft-actions.ts';
import type { SlackHandlerDeps } from './deps.ts';
import { registerFormHandlers } from './form-actions.ts';
import { registerHeaderActions } from './header-actions.ts';
import { registerHomeActions } from './home-actions.ts';
import { registerMessageEvents } from './message-events.ts';
import { registerSlashCommand } from './slash-command.ts';

/**
 * Bolt, hosted inside our Hono app: no receiver of its own (events.route.ts verifies, parses and
 * calls `processEvent`), one bot token, listeners for messages, `/parley`, buttons, modals and
 * App Home (and the AI drafts' Send, Edit… and Discard). Its identity comes from `auth.test`, asked once and cached.
 */
export function createBoltApp(
  deps: SlackHandlerDeps & {
    apiUrl: string;
    identity: () => Promise<{ botId: string; botUserId: string }>;
  },
): App {
  const app = new App({
    receiver: { init: () => {}, start: async () => {}, stop: async () => {} },
    authorize: async () => ({ botToken: deps.botToken, ...(await deps.identity()) }),
    clientOptions: { slackApiUrl: deps.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true },
    logger: boltLogger(deps.logger),
    // Parley keeps no per-conversation state in Bolt; its store's lookup built an Error (with a
    // stack) for every event, a tenth of what the web allocated answering replies.
    convoStore: false,
  });
  registerMessageEvents(app, deps);
  registerSlashCommand(app, deps);
  registerHeaderActions(app, deps);
  registerAiDraftActions(app, deps);
  registerHomeActions(app, deps);
  registerFormHandlers(app, deps);
  // Errors reach events.route.ts, which answers 500 so Slack retries the event.
  app.error(async (err) => {
    throw err.original ?? err;
  });
  return app;
}

function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  return {
    debug: (...m: unknown[]) => child.debug(m.map(String).join(' ')),
    info: (...m: unknown[]) => child.info(m.map(String).join(' ')),
    warn: (...m: unknown[]) => child.warn(m.map(String).join(' ')),
    error: (...m: unknown[]) => child.error(m.map(String).join(' ')),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
}
