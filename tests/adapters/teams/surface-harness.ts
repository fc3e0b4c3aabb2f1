import { randomBytes, randomUUID } from 'node:crypto';
import { beforeEach } from 'vitest';
import { tellAdminsOfSetup } from '../../../adapters/surfaces/teams/admin-notices.ts';
import { createTeamsSurface, type TeamsSurfaceDeps } from '../../../adapters/surfaces/teams/teams.surface.ts';
import { createTeamsApi } from '../../../adapters/surfaces/teams/teams-api.ts';
import { createLogger } from '../../../src/logger.ts';
import {
  type MirrorItem,
  type PostStep,
  SurfaceRetryLater,
  type ThreadHeader,
  type ThreadRef,
} from '../../../src/ports/agent-surface.ts';
import { mirrorConversation } from '../../../src/use-cases/mirror-conversation.ts';
import {
  fakeTeams,
  TEAMS_GRAPH_URL,
  TEAMS_SERVICE_URL,
  TEAMS_TEST_APP_ID,
  TEAMS_TEST_TENANT_ID,
} from '../../support/fake-teams.ts';
import { useMsw } from '../../support/msw.ts';
import { createTestRedis } from '../../support/redis.ts';
import { createTestDb } from '../../support/test-db.ts';

/**
 * The Teams surface against the Bot Connector (and Graph) fake, with real PostgreSQL and Redis
 * (pacing, holds). Time for holds, pacing and Graph's settling is a clock the test moves, the way
 * a delayed job comes back later. `mirror` runs the real mirror use-case until it is done.
 */
export async function teamsSurfaceHarness() {
  const db = await createTestDb();
  const redis = createTestRedis();
  const teams = fakeTeams();
  useMsw(...teams.handlers);
  beforeEach(() => teams.reset());
  const clock = { now: Date.now() };
  const logger = createLogger('silent');
  const api = createTeamsApi({
    serviceUrl: TEAMS_SERVICE_URL,
    token: async () => 'bot-framework-token',
    tenantId: TEAMS_TEST_TENANT_ID,
    redis: redis.producer,
    prefix: redis.prefix,
    logger,
    timeoutMs: 300,
    now: () => clock.now,
  });
  const setupErrors: { what: string; fix: string }[] = [];
  const deps: TeamsSurfaceDeps = {
    api,
    em: db.em,
    redis: redis.producer,
    prefix: redis.prefix,
    logger,
    mediaLink: (a) => (a.storageKey ? `https://parley.test/media/${a.storageKey}?sig=test` : null),
    graph: { url: TEAMS_GRAPH_URL, token: async () => 'graph-token', appId: TEAMS_TEST_APP_ID },
    // As the module wires it (adapters/surfaces/teams/index.ts): admins are told in their chat.
    onSetupError: async (what, fix, about) => {
      setupErrors.push({ what, fix });
      await tellAdmins(what, fix, about);
    },
    now: () => clock.now,
  };
  const surface = createTeamsSurface(deps);
  const tellAdmins = tellAdminsOfSetup({
    em: db.em,
    redis: redis.producer,
    prefix: redis.prefix,
    logger,
    notify: (userId, text) => surface.notify(userId, text),
  });
  /** The same surface where Graph cannot be used (not configured): nothing can be looked for. */
  const blindSurface = createTeamsSurface({ ...deps, graph: undefined });
  const TEAM = randomUUID();

  let seq = 0;
  const header = (over: Partial<ThreadHeader> = {}): ThreadHeader => ({
    conversationId: randomUUID(),
    number: 1042,
    contactName: 'Jane Doe',
    channel: 'whatsapp',
    status: 'open',
    assignees: [],
    unrepliedCount: 0,
    restricted: false,
    aiState: 'off',
    ...over,
  });
  const item = (over: Partial<MirrorItem> = {}): MirrorItem => ({
    messageId: randomUUID(),
    seq: ++seq,
    kind: 'inbound',
    text: 'Hello',
    attachments: [],
    authorName: 'Jane Doe',
    deliveryState: null,
    deliveryReason: null,
    createdAt: new Date(),
    origin: null,
    draft: null,
    ...over,
  });
  const newChannel = () => `19:${randomBytes(8).toString('hex')}@thread.tacv2`;

  /** A channel post with its header card; returns the saved ref. */
  const openChannelThread = async (h: ThreadHeader = header(), s = surface) => {
    const channel = newChannel();
    const ref = await s.openThread({ kind: 'channel', key: `channel:${channel}`, channelId: channel }, h);
    return { channel, ref, header: h, threadId: String(ref.conversation) };
  };

  /** One run of postItems as the mirror does it: each step saved before the next; stops at the first error. */
  const run = async (ref: ThreadRef, items: MirrorItem[], s = surface) => {
    const steps: PostStep[] = [];
    let saved = ref;
    try {
      for await (const step of s.postItems(ref, items)) {
        steps.push(step);
        saved = step.thread;
      }
      return { steps, ref: saved, error: null as Error | null };
    } catch (error) {
      return { steps, ref: saved, error: error as Error };
    }
  };

  /** Runs until every item is posted, moving the clock by each wait (a delayed job coming back). */
  const postAll = async (ref: ThreadRef, items: MirrorItem[], s = surface) => {
    const posted: Extract<PostStep, { kind: 'posted' }>[] = [];
    const waits: number[] = [];
    let saved = ref;
    for (let round = 0; round < 200; round++) {
      const done = new Set(posted.flatMap((p) => p.messageIds));
      const r = await run(
        saved,
        items.filter((i) => !done.has(i.messageId)),
        s,
      );
      saved = r.ref;
      posted.push(...r.steps.filter((x): x is Extract<PostStep, { kind: 'posted' }> => x.kind === 'posted'));
      if (!r.error) return { posted, ref: saved, waits };
      if (!(r.error instanceof SurfaceRetryLater)) throw r.error;
      waits.push(r.error.retryAfterMs);
      clock.now += r.error.retryAfterMs;
    }
    throw new Error('postAll did not finish');
  };

  /** The mirror job for a conversation, run again after each wait until it is done. */
  const mirror = async (conversationId: string) => {
    const surfaces = new Map([['teams', surface]]);
    for (let round = 0; round < 100; round++) {
      const r = await mirrorConversation({ em: db.em(), surfaces, countRedrawMs: 0 }, conversationId);
      if (r.outcome === 'done') return;
      if (r.outcome === 'retry') clock.now += r.retryAfterMs;
    }
    throw new Error('the mirror did not finish');
  };

  return {
    db,
    teams,
    api,
    surface,
    blindSurface,
    redis,
    clock,
    setupErrors,
    TEAM,
    header,
    item,
    newChannel,
    openChannelThread,
    run,
    postAll,
    mirror,
  };
}
