import { smsAdapter } from '../../adapters/channels/sms/index.ts';
import { createWebchatAdapter, type WebchatOptions } from '../../adapters/channels/webchat/index.ts';
import { whatsappAdapter } from '../../adapters/channels/whatsapp/index.ts';
import { whatsAppSignature } from '../../adapters/channels/whatsapp/signature.ts';
import type { ChannelAdapterModule } from '../../src/ports/adapter-module.ts';
import { inbound } from '../adapters/whatsapp/payloads.ts';
import {
  BOT,
  fakeSlack,
  SLACK_ENV,
  type SlackPost,
  slackCommand,
  slackEvent,
  slackInteraction,
} from './fake-slack.ts';
import { fakeTeams } from './fake-teams.ts';
import { fakeTeamsAuth, TEAMS_APP_ID, TEAMS_ENV, TEAMS_TENANT_ID } from './fake-teams-auth.ts';
import { GRAPH_TOKEN, GRAPH_URL, graphFake } from './fakes/graph.ts';
import { OPENAI_KEY, OPENAI_URL, openAiFake } from './fakes/openai.ts';
import { ACCOUNT_SID, AUTH_TOKEN, TWILIO_URL, twilioFake, twilioWebhook } from './fakes/twilio.ts';
import { useMsw } from './msw.ts';
import { runningParley } from './running-parley.ts';
import { settled } from './settled.ts';
import type { TestDb } from './test-db.ts';

export const WA_APP_SECRET = 'slack-e2e-whatsapp-app-secret';

/**
 * Parley as it runs (running-parley.ts) with WhatsApp and Slack on, against the Graph API and
 * Slack fakes; `sms: true` turns SMS on against the Twilio fake, `webchat` the embeddable widget
 * (webchat needs no vendor). Call at the top of a test file.
 */
export function slackHarness(
  db: TestDb,
  opts: {
    emails?: Record<string, string>;
    foreignTeams?: Record<string, string>;
    workers?: boolean;
    env?: Record<string, string>;
    sms?: boolean;
    webchat?: WebchatOptions | boolean;
    /** Teams on too (issue 10): the Bot Connector, Entra and Bot Framework auth fakes. */
    teams?: boolean;
    /** false: Slack off (a Teams-only deployment). */
    slack?: boolean;
    /** The AI agent's model on (issue 11): OpenAI's Responses API fake. */
    openai?: boolean;
  } = {},
) {
  // Slack stamps messages a minute in the past: settled for the sweep (30 s), yet inside the
  // window Parley reads back after a post whose answer was lost (2 min).
  const slack = fakeSlack({
    emails: opts.emails,
    foreignTeams: opts.foreignTeams,
    now: () => Date.now() - 60_000,
  });
  const graph = graphFake();
  const twilio = twilioFake();
  const teams = fakeTeams({ appId: TEAMS_APP_ID, tenantId: TEAMS_TENANT_ID });
  const teamsAuth = fakeTeamsAuth();
  const openai = openAiFake();
  const server = useMsw(
    ...(opts.openai ? openai.handlers : []),
    ...(opts.slack === false ? [] : slack.handlers),
    ...graph.handlers,
    ...(opts.sms ? twilio.handlers : []),
    ...(opts.teams ? [...teams.handlers, ...teamsAuth.handlers] : []),
  );
  const channelModules: ChannelAdapterModule[] = [whatsappAdapter];
  if (opts.sms) channelModules.push(smsAdapter);
  if (opts.webchat) channelModules.push(createWebchatAdapter(opts.webchat === true ? {} : opts.webchat));
  const parley = runningParley(db, {
    env: {
      WHATSAPP_API_URL: GRAPH_URL,
      WHATSAPP_APP_SECRET: WA_APP_SECRET,
      WHATSAPP_ACCESS_TOKEN: GRAPH_TOKEN,
      WHATSAPP_VERIFY_TOKEN: 'verify',
      ...(opts.sms
        ? { TWILIO_API_URL: TWILIO_URL, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN }
        : {}),
      ...(opts.slack === false ? {} : SLACK_ENV),
      ...(opts.teams ? TEAMS_ENV : {}),
      ...(opts.openai ? { OPENAI_BASE_URL: OPENAI_URL, OPENAI_API_KEY: OPENAI_KEY } : {}),
      ...opts.env,
    },
    channelModules,
    workers: opts.workers,
  });
  const h = parley;
  const config = parley.config;

  const request = (path: string, init: { method: string; body: string; headers: Record<string, string> }) =>
    h.app.request(path, init);
  /** Twilio posts a webhook form, signed for PUBLIC_URL + `path` (the query included, as Twilio signs it). */
  const twilioPost = (path: string, params: Record<string, string>) =>
    h.app.request(path, twilioWebhook(config.publicUrl, path, params));
  return {
    config,
    slack,
    graph,
    /** The Twilio fake (its handlers are on only with `sms: true`). */
    twilio,
    /** The Teams fakes (their handlers are on only with `teams: true`). */
    teams,
    teamsAuth,
    /** The OpenAI fake (its handlers are on only with `openai: true`). */
    openai,
    server,
    get services() {
      return h.services;
    },
    get app() {
      return h.app;
    },
    /** Meta posts a signed webhook. */
    whatsappWebhook: (payload: unknown) => {
      const body = JSON.stringify(payload);
      return h.app.request('/webhooks/whatsapp', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': whatsAppSignature(WA_APP_SECRET, body),
        },
        body,
      });
    },
    /**
     * A customer (`waId`) writes on WhatsApp; resolves with the header of the conversation's thread
     * in `channel` once it is there and Parley has recorded it (a reply in a thread it has not
     * recorded yet waits for the sweep).
     */
    async customerThread(waId: string, text: string, channel = 'C_SUPPORT') {
      const body = JSON.stringify(inbound({ waId, name: `Customer ${waId}` }, 'text', { body: text }));
      await h.app.request('/webhooks/whatsapp', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': whatsAppSignature(WA_APP_SECRET, body),
        },
        body,
      });
      const header = await eventually(() =>
        slack.posts.find(
          (p) =>
            p.channel === channel &&
            !p.thread_ts &&
            slack.threadOf(channel, p.ts).some((r) => r.text.includes(text)),
        ),
      );
      await settled(h.services);
      return header;
    },
    /** A person writes in a thread in Slack, and Slack sends the event (`eventId`: its delivery id). */
    async writesInThread(user: string, text: string, threadTs: string, opts: { eventId?: string } = {}) {
      const typed = slack.personWrites('C_SUPPORT', user, text, threadTs);
      const event = {
        type: 'message',
        channel: 'C_SUPPORT',
        channel_type: 'channel',
        user,
        text,
        ts: typed.ts,
        thread_ts: threadTs,
      };
      const res = await request('/slack/events', slackEvent(event, { eventId: opts.eventId }));
      return { typed, event, res };
    },
    /** Teams posts an activity to the bot, signed as the Bot Framework does. */
    teamsActivity: (activity: { serviceUrl: string } & Record<string, unknown>) =>
      h.app.request('/teams/messages', teamsAuth.signedActivityRequest(activity)),
    /** Twilio posts an incoming SMS, signed. */
    smsWebhook: (params: Record<string, string>) => twilioPost('/webhooks/twilio/sms', params),
    /**
     * Twilio posts a status callback, signed, to the StatusCallback URL Parley gave it with the
     * send (`callbackUrl`, its path and query taken as they are).
     */
    twilioStatus: (callbackUrl: string, params: Record<string, string>) => {
      const url = new URL(callbackUrl);
      return twilioPost(`${url.pathname}${url.search}`, params);
    },
    event: (event: Record<string, unknown>, o?: Parameters<typeof slackEvent>[1]) =>
      request('/slack/events', slackEvent(event, o)),
    command: (user: string, text: string, channel?: string) =>
      request('/slack/events', slackCommand(user, text, channel)),
    interact: (payload: Record<string, unknown>) => request('/slack/events', slackInteraction(payload)),
    /**
     * A person clicks the button `actionId` they see on `post` (found in its blocks, with the value
     * Parley gave it), as Slack sends the click. Fails when the post shows no such button.
     */
    pressButton: (user: string, post: SlackPost, actionId: string) => {
      const button = buttonsOf(post).find((b) => b.action_id === actionId);
      if (!button) throw new Error(`no button ${actionId} on the post ${post.ts} in ${post.channel}`);
      return request(
        '/slack/events',
        slackInteraction({
          type: 'block_actions',
          team: { id: 'T1', domain: 'acme' },
          user: { id: user, username: user.toLowerCase(), team_id: 'T1' },
          api_app_id: BOT.appId,
          token: 'unused',
          trigger_id: `trigger-${++triggers}`,
          response_url: 'https://hooks.slack.test/actions/1',
          container: { type: 'message', message_ts: post.ts, channel_id: post.channel, is_ephemeral: false },
          channel: { id: post.channel, name: post.channel },
          message: { type: 'message', ts: post.ts, ...(post.thread_ts ? { thread_ts: post.thread_ts } : {}) },
          actions: [{ ...button, block_id: 'header', action_ts: String(Date.now() / 1000) }],
        }),
      );
    },
    /** A person submits a modal Parley opened for them (the view given to views.open), with these values. */
    submitModal: (
      user: string,
      view: Record<string, unknown>,
      values: Record<string, Record<string, Record<string, unknown>>>,
    ) =>
      request(
        '/slack/events',
        slackInteraction({
          type: 'view_submission',
          team: { id: 'T1', domain: 'acme' },
          user: { id: user, name: user.toLowerCase(), team_id: 'T1' },
          api_app_id: BOT.appId,
          token: 'unused',
          trigger_id: `trigger-${++triggers}`,
          view: {
            ...view,
            id: `V_MODAL_${triggers}`,
            team_id: 'T1',
            app_id: BOT.appId,
            bot_id: BOT.botId,
            state: { values },
            hash: 'h1',
            root_view_id: `V_MODAL_${triggers}`,
            previous_view_id: null,
          },
        }),
      ),
  };
}

let triggers = 0;

/** The buttons a person sees on a post (in its `actions` blocks). */
export function buttonsOf(post: SlackPost): { action_id: string; value?: string; type: string }[] {
  return (post.blocks ?? []).flatMap((b) => {
    const block = b as { type?: string; elements?: { type: string; action_id: string; value?: string }[] };
    return block.type === 'actions' ? (block.elements ?? []).filter((e) => e.type === 'button') : [];
  });
}

/** Polls until `check` returns a truthy value (workers run in the background), or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T> | T, ms = 10_000): Promise<NonNullable<T>> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw last instanceof Error ? last : new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
