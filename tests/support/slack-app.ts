import { whatsappAdapter } from '../../adapters/channels/whatsapp/index.ts';
import { whatsAppSignature } from '../../adapters/channels/whatsapp/signature.ts';
import { fakeSlack, SLACK_ENV, slackCommand, slackEvent, slackInteraction } from './fake-slack.ts';
import { GRAPH_TOKEN, GRAPH_URL, graphFake } from './fakes/graph.ts';
import { useMsw } from './msw.ts';
import { runningParley } from './running-parley.ts';
import type { TestDb } from './test-db.ts';

export const WA_APP_SECRET = 'slack-e2e-whatsapp-app-secret';

/**
 * Parley as it runs (running-parley.ts) with WhatsApp and Slack on, against the Graph API and
 * Slack fakes. Call at the top of a test file.
 */
export function slackHarness(
  db: TestDb,
  opts: {
    emails?: Record<string, string>;
    foreignTeams?: Record<string, string>;
    workers?: boolean;
    env?: Record<string, string>;
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
  const server = useMsw(...slack.handlers, ...graph.handlers);
  const parley = runningParley(db, {
    env: {
      WHATSAPP_API_URL: GRAPH_URL,
      WHATSAPP_APP_SECRET: WA_APP_SECRET,
      WHATSAPP_ACCESS_TOKEN: GRAPH_TOKEN,
      WHATSAPP_VERIFY_TOKEN: 'verify',
      ...SLACK_ENV,
      ...opts.env,
    },
    channelModules: [whatsappAdapter],
    workers: opts.workers,
  });
  const h = parley;
  const config = parley.config;

  const request = (path: string, init: { method: string; body: string; headers: Record<string, string> }) =>
    h.app.request(path, init);
  return {
    config,
    slack,
    graph,
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
    event: (event: Record<string, unknown>, o?: Parameters<typeof slackEvent>[1]) =>
      request('/slack/events', slackEvent(event, o)),
    command: (user: string, text: string, channel?: string) =>
      request('/slack/events', slackCommand(user, text, channel)),
    interact: (payload: Record<string, unknown>) => request('/slack/events', slackInteraction(payload)),
  };
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
