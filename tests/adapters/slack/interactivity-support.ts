import { App } from '@slack/bolt';
import type { SlackCaller, SlackHandlerDeps } from '../../../adapters/surfaces/slack/deps.ts';
import { registerHeaderActions } from '../../../adapters/surfaces/slack/header-actions.ts';
import { registerHomeActions } from '../../../adapters/surfaces/slack/home-actions.ts';
import { SlackApiError } from '../../../adapters/surfaces/slack/slack-api.ts';
import { User } from '../../../src/db/entities/index.ts';
import { createLogger } from '../../../src/logger.ts';
import { refusalOf } from '../../support/fake-slack-methods.ts';
import { recordingSurface } from '../../support/fake-surface.ts';
import { recordVendorProblem } from '../../support/harness-guard.ts';
import type { createTestRedis } from '../../support/redis.ts';
import { manifestBotScopes } from '../../support/slack-rules.ts';
import { localTestStorage } from '../../support/storage.ts';
import type { TestDb } from '../../support/test-db.ts';

/**
 * Buttons, modals and App Home listeners on a real Bolt App, fed Slack's interactivity payloads
 * through `processEvent` (as events.route.ts does), with the Web API recorded instead of called.
 */

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
}

/**
 * Slack's Web API as far as these listeners use it, answering the methods they call the way Slack
 * does (users.info from `people`) and refusing what Slack refuses (fake-slack-methods.ts: scopes
 * from the manifest, Block Kit limits, missing arguments), thrown as the real client throws it
 * (SlackApiError). A method it does not implement is refused and fails the test: a listener
 * calling something new needs it implemented here the way Slack does it.
 */
export function recordingSlackApi(people: Record<string, { name: string; email?: string }> = {}) {
  const calls: ApiCall[] = [];
  const workspace = {
    scopesOf: () => manifestBotScopes(),
    notIn: new Set<string>(),
    gone: new Set<string>(),
  };
  let seq = 0;
  const ts = () => `1700000100.${String(++seq).padStart(6, '0')}`;
  const methods: Record<string, (args: Record<string, unknown>) => Record<string, unknown>> = {
    'auth.test': () => ({
      url: 'https://acme.slack.test/',
      team_id: 'T1',
      user_id: 'U_PARLEY',
      bot_id: 'B_PARLEY',
    }),
    'users.info': (args) => {
      const p = people[String(args.user)];
      return { user: { id: args.user, team_id: 'T1', name: p?.name, profile: { email: p?.email } } };
    },
    'chat.postEphemeral': () => ({ message_ts: ts() }),
    'chat.postMessage': (args) => ({ channel: args.channel, ts: ts() }),
    'views.open': () => ({ view: { id: 'V_MODAL' } }),
    'views.publish': () => ({ view: { id: 'V_HOME' } }),
  };
  const api: SlackCaller = {
    async call<T>(method: string, args: Record<string, unknown>): Promise<T> {
      calls.push({ method, args });
      const answer = methods[method];
      if (!answer) {
        recordVendorProblem({
          vendor: 'Slack (interactivity harness)',
          what: `a listener called ${method}, which this harness does not implement (args ${JSON.stringify(args).slice(0, 500)}): implement it in tests/adapters/slack/interactivity-support.ts the way Slack answers it`,
        });
        throw new SlackApiError(method, 'unknown_method');
      }
      const refusal = refusalOf(workspace, method, args, 'xoxb-test');
      if (refusal) {
        if (refusal.malformed)
          recordVendorProblem({
            vendor: 'Slack (interactivity harness)',
            refusal: refusal.error,
            what: `Slack refused ${method} with ${refusal.error}: ${refusal.detail ?? ''}`,
          });
        throw new SlackApiError(method, refusal.error);
      }
      return { ok: true, ...answer(args) } as T;
    },
  };
  const callsOf = (method: string) => calls.filter((c) => c.method === method).map((c) => c.args);
  return { api, calls, callsOf };
}

export function interactivityApp(
  db: TestDb,
  redis: ReturnType<typeof createTestRedis>,
  people: Record<string, { name: string; email?: string }> = {},
) {
  const slack = recordingSlackApi(people);
  const homesPublished: string[] = [];
  const { surface } = recordingSurface();
  surface.publishHome = async (userId) => {
    homesPublished.push(userId);
  };
  const deps: SlackHandlerDeps = {
    context: () => ({ em: db.em() }),
    em: db.em,
    api: slack.api,
    storage: localTestStorage(),
    surface,
    redis: redis.producer,
    prefix: redis.prefix,
    logger: createLogger('silent'),
    botToken: 'xoxb-test',
    fileHosts: ['files.slack.test'],
  };
  const app = new App({
    receiver: { init() {}, start: async () => {}, stop: async () => {} },
    authorize: async () => ({ botToken: 'xoxb-test', botId: 'B_PARLEY', botUserId: 'U_PARLEY' }),
    clientOptions: { slackApiUrl: 'https://slack.test/api/' },
  });
  registerHeaderActions(app, deps);
  registerHomeActions(app, deps);

  /** Feeds one payload; returns what the listener acknowledged (`'not acked'` when it did not). */
  const send = async (body: Record<string, unknown>): Promise<unknown> => {
    let acked: unknown = 'not acked';
    await app.processEvent({
      body,
      ack: async (response?: unknown) => {
        acked = response;
      },
    });
    return acked;
  };
  /** Private answers to one Slack user. */
  const toldPrivately = (slackUserId: string) =>
    slack
      .callsOf('chat.postEphemeral')
      .filter((a) => a.user === slackUserId)
      .map((a) => String(a.text));
  return { app, deps, slack, send, homesPublished, toldPrivately };
}

/** Links seeded Parley users to Slack user ids. */
export async function linkSlackUsers(db: TestDb, links: [{ id: string }, string][]): Promise<void> {
  const em = db.em();
  for (const [user, slackUserId] of links) await em.nativeUpdate(User, { id: user.id }, { slackUserId });
}

const team = { id: 'T1', domain: 'acme' };
export const HEADER_TS = '1700000000.000100';

/** A click on a header button in the Support channel's thread. */
export function buttonPress(slackUserId: string, actionId: string, conversationId: string) {
  return {
    type: 'block_actions',
    team,
    user: { id: slackUserId, username: slackUserId.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A_PARLEY',
    token: 'unused',
    trigger_id: `trigger-${actionId}`,
    response_url: 'https://hooks.slack.test/actions/1',
    container: { type: 'message', message_ts: HEADER_TS, channel_id: 'C_SUPPORT', is_ephemeral: false },
    channel: { id: 'C_SUPPORT', name: 'support' },
    message: { type: 'message', ts: HEADER_TS, text: 'header' },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'header',
        value: conversationId,
        action_ts: '1700000001.0',
      },
    ],
  };
}

type StateValues = Record<string, Record<string, Record<string, unknown>>>;

/** Submitting a modal Parley opened (its callback id and private_metadata), with these field values. */
export function modalSubmission(
  slackUserId: string,
  callbackId: string,
  privateMetadata: string,
  values: StateValues,
) {
  return {
    type: 'view_submission',
    team,
    user: { id: slackUserId, name: slackUserId.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A_PARLEY',
    token: 'unused',
    trigger_id: 'trigger-submit',
    view: {
      id: 'V_MODAL',
      type: 'modal',
      callback_id: callbackId,
      private_metadata: privateMetadata,
      team_id: 'T1',
      app_id: 'A_PARLEY',
      bot_id: 'B_PARLEY',
      title: { type: 'plain_text', text: 'Parley' },
      blocks: [],
      state: { values },
      hash: 'h1',
      root_view_id: 'V_MODAL',
      previous_view_id: null,
      clear_on_close: false,
      notify_on_close: false,
    },
  };
}

export const pickedUsers = (slackUserIds: string[]) => ({
  users: { users: { type: 'multi_users_select', selected_users: slackUserIds } },
});

/** `app_home_opened` as the Events API delivers it. */
export function homeOpened(slackUserId: string, tab: 'home' | 'messages' = 'home') {
  return {
    type: 'event_callback',
    team_id: 'T1',
    api_app_id: 'A_PARLEY',
    event_id: `Ev${Math.random().toString(36).slice(2)}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'app_home_opened',
      user: slackUserId,
      channel: `D_${slackUserId}`,
      tab,
      event_ts: '1700000002.0',
    },
  };
}

/** A click on the App Home tab (a filter select or a tile button), on a Home showing `filters`. */
export function homeClick(
  slackUserId: string,
  action: { action_id: string; value?: string; selected?: string },
  privateMetadata = '',
) {
  const element =
    action.selected !== undefined
      ? {
          type: 'static_select',
          action_id: action.action_id,
          block_id: 'home_filters',
          selected_option: { text: { type: 'plain_text', text: action.selected }, value: action.selected },
          action_ts: '1700000003.0',
        }
      : {
          type: 'button',
          action_id: action.action_id,
          block_id: 'home_tiles',
          value: action.value,
          action_ts: '1',
        };
  return {
    type: 'block_actions',
    team,
    user: {
      id: slackUserId,
      username: slackUserId.toLowerCase(),
      name: slackUserId.toLowerCase(),
      team_id: 'T1',
    },
    api_app_id: 'A_PARLEY',
    token: 'unused',
    trigger_id: 'trigger-home',
    container: { type: 'view', view_id: 'V_HOME' },
    view: {
      id: 'V_HOME',
      type: 'home',
      private_metadata: privateMetadata,
      state: { values: {} },
      hash: 'h2',
    },
    actions: [element],
  };
}
