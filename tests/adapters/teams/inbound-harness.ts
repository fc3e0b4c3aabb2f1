import { randomUUID } from 'node:crypto';
import { HttpResponse, http } from 'msw';
import { headerCard } from '../../../adapters/surfaces/teams/cards/header-card.ts';
import { teamsCloud } from '../../../adapters/surfaces/teams/cloud.ts';
import { createTeamsInbound } from '../../../adapters/surfaces/teams/inbound/index.ts';
import { teamsRoutes } from '../../../adapters/surfaces/teams/messages.route.ts';
import type { TeamsThreadRefShape } from '../../../adapters/surfaces/teams/ports.ts';
import { createTeamsApi } from '../../../adapters/surfaces/teams/teams-api.ts';
import { createTeamsHost } from '../../../adapters/surfaces/teams/teams-app.ts';
import { createTeamsTokenSource } from '../../../adapters/surfaces/teams/token.ts';
import { loadConfig } from '../../../src/config.ts';
import { Conversation, SurfaceThread, type User } from '../../../src/db/entities/index.ts';
import type { DomainEvent } from '../../../src/domain/events.ts';
import { createApp } from '../../../src/http/app.ts';
import { createLogger } from '../../../src/logger.ts';
import type { UseCaseContext } from '../../../src/use-cases/context.ts';
import { deliverMessage } from '../../../src/use-cases/deliver-message.ts';
import { buildHeader } from '../../../src/use-cases/mirror-items.ts';
import { recordingChannel } from '../../support/fake-channel.ts';
import { recordingSurface } from '../../support/fake-surface.ts';
import { fakeTeams, type TeamsUser } from '../../support/fake-teams.ts';
import {
  fakeTeamsAuth,
  SERVICE_URL,
  TEAMS_APP_ID,
  TEAMS_ENV,
  TEAMS_TENANT_ID,
  TOKEN_ISSUER,
} from '../../support/fake-teams-auth.ts';
import { seedContact, type Workspace } from '../../support/fixtures.ts';
import { useMsw } from '../../support/msw.ts';
import { createTestRedis } from '../../support/redis.ts';
import { localTestStorage } from '../../support/storage.ts';
import type { TestDb } from '../../support/test-db.ts';
import { customerWrites } from '../../use-cases/messages/support.ts';

/**
 * The Teams inbound handlers as Teams reaches them: signed activities posted to
 * `POST /teams/messages` of the real Hono app, checked by the SDK host (teams-app.ts), handled by
 * createTeamsInbound with the real database and Redis, against the Bot Connector fake and the
 * Bot Framework auth fake (msw). The customer side is a recording channel the test delivers to.
 */
export const CHANNEL = '19:support0channel@thread.tacv2';
export const TEAM = '19:team0support@thread.tacv2';
/** Where Teams serves pasted images to the bot token, and a SharePoint pre-signed download link. */
export const MEDIA_URL = 'https://smba.teams.test/amer/v3/attachments';
export const SHAREPOINT_URL = 'https://acme-my.sharepoint.com/personal/bob/_layouts/15/download.aspx';

export function inboundHarness(db: TestDb) {
  const auth = fakeTeamsAuth();
  const teams = fakeTeams({ appId: TEAMS_APP_ID, tenantId: TEAMS_TENANT_ID });
  const downloads: { url: string; authorization: string | null }[] = [];
  const files = [
    http.get(`${MEDIA_URL}/:id/views/original`, ({ request, params }) => {
      downloads.push({ url: request.url, authorization: request.headers.get('authorization') });
      if (!auth.isIssued(request.headers.get('authorization')))
        return new HttpResponse(null, { status: 401 });
      return new HttpResponse(new Uint8Array([137, 80, 78, 71, params.id === 'big' ? 1 : 0]), {
        headers: { 'content-type': 'image/png' },
      });
    }),
    http.get(SHAREPOINT_URL, ({ request }) => {
      downloads.push({ url: request.url, authorization: request.headers.get('authorization') });
      return new HttpResponse('%PDF-1.7 invoice', { headers: { 'content-type': 'application/pdf' } });
    }),
  ];
  const server = useMsw(...auth.handlers, ...teams.handlers, ...files);
  const redis = createTestRedis();
  const storage = localTestStorage();
  const config = loadConfig({ ...TEAMS_ENV, PUBLIC_URL: 'https://parley.test', LOG_LEVEL: 'silent' });
  const logger = createLogger('silent');
  const cloud = teamsCloud(config);
  const tokens = createTeamsTokenSource({
    appId: TEAMS_APP_ID,
    password: TEAMS_ENV.TEAMS_APP_PASSWORD,
    tenantId: TEAMS_TENANT_ID,
    environment: cloud.environment,
    logger,
  });
  const events: DomainEvent[] = [];
  const context = (): UseCaseContext => ({
    em: db.em(),
    dispatch: async (e) => void events.push(...e),
  });
  // These tests are about what the handlers do, not pacing (tests/adapters/teams/api.test.ts and
  // tests/adapters/shared/place-limits.test.ts): a clock that moves on 2 s at each reading keeps
  // every one of Teams' windows open however fast a test answers in one chat.
  let clockAt = Date.now();
  const api = createTeamsApi({
    serviceUrl: SERVICE_URL,
    token: () => tokens.token(),
    tenantId: TEAMS_TENANT_ID,
    redis: redis.producer,
    prefix: redis.prefix,
    logger,
    now: () => (clockAt += 2_000),
  });
  const surface = recordingSurface('teams');
  const inbound = createTeamsInbound({
    context,
    em: db.em,
    api,
    surface: surface.surface,
    storage,
    logger,
    config,
    redis: redis.producer,
    prefix: redis.prefix,
    botToken: () => tokens.token(),
  });
  const host = createTeamsHost({
    appId: TEAMS_APP_ID,
    tenantId: TEAMS_TENANT_ID,
    cloud,
    tokens,
    inbound,
    em: db.em,
    logger,
  });
  const app = createApp({
    config,
    orm: db.orm,
    redis: redis.producer,
    logger,
    extraRoutes: (a) => a.route('/', teamsRoutes({ handle: host.handle, tokenIssuer: TOKEN_ISSUER })),
  });
  const customer = recordingChannel('whatsapp');

  /** Teams posts an activity to the bot, signed; resolves with the HTTP answer. */
  const post = (activity: Record<string, unknown>) =>
    app.request('/teams/messages', auth.signedActivityRequest({ serviceUrl: SERVICE_URL, ...activity }));

  const who = (u: TeamsUser) => ({ id: u.id, name: u.name, aadObjectId: u.aadObjectId });
  const base = (conversation: Record<string, unknown>) => ({
    channelId: 'msteams',
    timestamp: new Date().toISOString(),
    recipient: { id: teams.botId, name: 'Parley' },
    conversation: { tenantId: TEAMS_TENANT_ID, ...conversation },
    channelData: { tenant: { id: TEAMS_TENANT_ID } },
  });
  const inChannel = (threadId: string) => ({
    ...base({ id: threadId, conversationType: 'channel', isGroup: true }),
    channelData: { tenant: { id: TEAMS_TENANT_ID }, team: { id: TEAM }, channel: { id: CHANNEL } },
  });

  return {
    teams,
    auth,
    server,
    app,
    api,
    events,
    surface,
    customer,
    downloads,
    redis,
    inbound,
    post,
    /** A customer writes on WhatsApp: an open conversation in the Support group. */
    async newConversation(ws: Workspace, text = 'Where is my parcel?') {
      const { phone } = await seedContact(db.em(), ws.account, { name: `Dana ${randomUUID().slice(0, 6)}` });
      const { conversationId } = await customerWrites(db, { from: phone, text });
      return db.em().findOneOrFail(Conversation, conversationId, { populate: ['contact'] });
    },
    /** The conversation's post in the Support channel, as the mirror records it. */
    async channelPost(conv: Conversation) {
      const card = headerCard(await buildHeader(db.em(), conv), { place: 'channel' });
      const { threadId, activityId } = await api.createChannelPost(CHANNEL, card);
      const ref: TeamsThreadRefShape = {
        kind: 'channel',
        conversation: threadId,
        root: activityId,
        conversation_id: conv.id,
        channel: CHANNEL,
      };
      const em = db.em();
      em.create(SurfaceThread, {
        conversation: conv.id,
        surface: 'teams',
        place: `channel:${CHANNEL}`,
        ref: { ...ref },
      });
      await em.flush();
      return { threadId, root: activityId };
    },
    /** The conversation's card in a user's personal chat (a restricted conversation, R31). */
    async personalCard(conv: Conversation, user: User, person: TeamsUser) {
      const chat = await api.openPersonalChat(person.aadObjectId);
      const { activityId } = await api.send(
        chat,
        headerCard(await buildHeader(db.em(), conv), { place: 'personal' }),
      );
      const ref: TeamsThreadRefShape = {
        kind: 'personal',
        conversation: chat,
        root: activityId,
        conversation_id: conv.id,
      };
      const em = db.em();
      em.create(SurfaceThread, {
        conversation: conv.id,
        surface: 'teams',
        place: `user:${user.id}:${person.aadObjectId}`,
        ref: { ...ref },
      });
      await em.flush();
      return { chat, root: activityId };
    },
    /** A person writes in a post's thread (Teams keeps it; the activity is what Teams posts to the bot). */
    channelMessage(
      person: TeamsUser,
      threadId: string,
      text: string,
      extra: Record<string, unknown> = {},
    ): Record<string, unknown> {
      const written = teams.personWrites(threadId, person.aadObjectId, text);
      return {
        ...inChannel(threadId),
        type: 'message',
        id: written.id,
        from: who(person),
        text,
        textFormat: 'plain',
        ...extra,
      };
    },
    /** A person writes in their personal chat with the app. */
    async personalMessage(person: TeamsUser, text: string, extra: Record<string, unknown> = {}) {
      const chat = await api.openPersonalChat(person.aadObjectId);
      const written = teams.personWrites(chat, person.aadObjectId, text);
      return {
        ...base({ id: chat, conversationType: 'personal' }),
        type: 'message',
        id: written.id,
        from: who(person),
        text,
        textFormat: 'plain',
        ...extra,
      };
    },
    /** An edit or a deletion of a person's message, as Teams tells it (same id and conversation). */
    changed(message: Record<string, unknown>, change: 'edited' | 'deleted', text?: string) {
      return change === 'edited'
        ? {
            ...message,
            type: 'messageUpdate',
            text,
            channelData: { ...(message.channelData as object), eventType: 'editMessage' },
          }
        : {
            ...message,
            type: 'messageDelete',
            text: '',
            channelData: { ...(message.channelData as object), eventType: 'softDeleteMessage' },
          };
    },
    /** A button or dialog invoke from a card in a post's thread or a personal chat. */
    async invoke(
      person: TeamsUser,
      where: { threadId: string } | { personal: true },
      name: string,
      value: unknown,
    ) {
      const conversation =
        'threadId' in where
          ? inChannel(where.threadId)
          : base({ id: await api.openPersonalChat(person.aadObjectId), conversationType: 'personal' });
      return post({
        ...conversation,
        type: 'invoke',
        id: `f:${randomUUID()}`,
        name,
        value,
        from: who(person),
      });
    },
    /** What the app said to a person in their personal chat, in order. */
    told: (person: TeamsUser) =>
      teams
        .chatWith(person.aadObjectId)
        .filter((a) => a.byBot)
        .map((a) => decode(a.text ?? '')),
    /** The customer channel takes the message (the deliver worker's job). */
    deliver: (messageId: string) =>
      deliverMessage({ em: db.em(), channels: new Map([['whatsapp', customer.channel]]) }, messageId),
  };
}

/** A message's text as Teams shows it (numeric character references decoded). */
export const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));

export type InboundHarness = ReturnType<typeof inboundHarness>;
