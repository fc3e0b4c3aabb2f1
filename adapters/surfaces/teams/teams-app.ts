import { createHash } from 'node:crypto';
import type { IHttpServerRequest, IHttpServerResponse } from '@microsoft/teams.apps';
import { App } from '@microsoft/teams.apps';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../../src/logger.ts';
import { runOnce } from './activity-claims.ts';
import type { TeamsCloud } from './cloud.ts';
import { HonoHttpAdapter } from './hono-adapter.ts';
import { MESSAGING_ENDPOINT } from './messages.route.ts';
import type { InboundActivity, TeamsInbound } from './ports.ts';
import { sdkLogger } from './sdk-logger.ts';
import type { TeamsTokenSource } from './token.ts';

export interface TeamsHostDeps {
  appId: string;
  tenantId: string;
  cloud: TeamsCloud;
  tokens: TeamsTokenSource;
  inbound: TeamsInbound;
  em: () => EntityManager;
  logger: Logger;
}

export interface TeamsHost {
  app: App;
  /** What `POST /teams/messages` hands the request to (messages.route.ts). */
  handle(request: IHttpServerRequest): Promise<IHttpServerResponse>;
}

type Answer = { status: number; body?: unknown } | undefined;

/**
 * The Teams SDK app, hosted in our Hono app through HonoHttpAdapter: initialised, never started
 * (no server of its own). The SDK checks each activity's token; then one middleware takes every
 * activity: refused when it comes from another tenant than ours (the app is single-tenant),
 * claimed by id in PostgreSQL (activity-claims.ts), then handed to the inbound handlers.
 */
export function createTeamsHost(deps: TeamsHostDeps): TeamsHost {
  const adapter = new HonoHttpAdapter();
  const log = deps.logger.child({ surface: 'teams' });
  const app = new App({
    clientId: deps.appId,
    tenantId: deps.tenantId,
    // Our token source, so the SDK never builds MSAL clients. An empty secret (rather than none)
    // keeps the SDK from reading CLIENT_SECRET from the environment and preferring MSAL after all.
    clientSecret: '',
    token: (scope) => deps.tokens.token(Array.isArray(scope) ? scope[0] : scope),
    cloud: deps.cloud.environment,
    serviceUrl: deps.cloud.serviceUrl,
    httpServerAdapter: adapter,
    messagingEndpoint: MESSAGING_ENDPOINT,
    logger: sdkLogger(deps.logger),
    // Stated, so DANGEROUSLY_ALLOW_UNAUTHENTICATED_REQUESTS in the environment cannot turn it off.
    dangerouslyAllowUnauthenticatedRequests: false,
    state: false,
  });

  const ourTenant = deps.tenantId.toLowerCase();
  app.use(async ({ activity }) => {
    const a = activity as unknown as InboundActivity;
    // Teams names the tenant in channelData and in the conversation: each one named must be ours.
    const named = [a.channelData?.tenant?.id, a.conversation.tenantId].filter((t): t is string => !!t);
    if (named.length === 0 || named.some((t) => t.toLowerCase() !== ourTenant)) {
      log.warn({ tenants: named, type: a.type }, 'Teams activity from another tenant refused');
      return { status: 403, body: { error: 'This app serves one Microsoft 365 tenant only.' } };
    }
    const run = handlerFor(deps.inbound, a);
    if (!run) return undefined;
    const key = { activityId: claimId(a), conversationId: a.conversation.id, type: a.type };
    try {
      return await runOnce(deps.em, key, run, () => duplicateAnswer(a));
    } catch (err) {
      log.error(
        { err, type: a.type, name: a.name, activityId: a.id },
        'Teams activity failed; Teams will retry it',
      );
      throw err;
    }
  });

  const ready = app.initialize();
  // Every request awaits it and fails with the reason; logged once here in case none comes.
  ready.catch((err) => log.error({ err }, 'the Teams SDK app could not be initialised'));
  return {
    app,
    handle: async (request) => {
      await ready;
      return adapter.handler(MESSAGING_ENDPOINT)(request);
    },
  };
}

/**
 * What an activity is claimed by. An edit or deletion in Teams carries the id of the message it
 * changes, so it is claimed by that id with the change (and the edited text: a second edit of one
 * message is a new activity, a retried one is not); anything else by its own id.
 */
export function claimId(a: Pick<InboundActivity, 'id' | 'type' | 'text'>): string {
  if (a.type === 'messageDelete') return `${a.id}:deleted`;
  if (a.type === 'messageUpdate')
    return `${a.id}:edited:${createHash('sha256')
      .update(a.text ?? '')
      .digest('base64url')
      .slice(0, 22)}`;
  return a.id;
}

/** Which inbound handler an activity goes to; null for what Parley does not use (typing, reactions…). */
function handlerFor(inbound: TeamsInbound, a: InboundActivity): (() => Promise<Answer>) | null {
  switch (a.type) {
    case 'message':
      return async () => void (await inbound.message(a));
    case 'messageUpdate':
      return async () => void (await inbound.messageChanged(a, 'edited'));
    case 'messageDelete':
      return async () => void (await inbound.messageChanged(a, 'deleted'));
    case 'invoke':
      return () => inbound.invoke(a);
    case 'installationUpdate':
    case 'conversationUpdate': {
      const installation = inbound.installation?.bind(inbound);
      return installation ? async () => void (await installation(a)) : null;
    }
    default:
      return null;
  }
}

/**
 * What a delivery of an activity already taken gets. Teams waits for an invoke's answer, so a
 * repeated one gets the shape its kind expects; anything else gets an empty 200.
 */
export function duplicateAnswer(a: Pick<InboundActivity, 'type' | 'name'>): Answer {
  if (a.type !== 'invoke') return undefined;
  switch (a.name) {
    case 'adaptiveCard/action':
      return {
        status: 200,
        body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Already done.' },
      };
    case 'task/fetch':
      return { status: 200, body: { task: { type: 'message', value: 'This dialog is already open.' } } };
    default:
      // task/submit and the rest: an empty 200 closes a dialog and acknowledges anything else.
      return { status: 200 };
  }
}
