import { randomBytes, randomUUID } from 'node:crypto';
import { beforeEach } from 'vitest';
import { createSlackSurface } from '../../../adapters/surfaces/slack/slack.surface.ts';
import { createSlackApi } from '../../../adapters/surfaces/slack/slack-api.ts';
import { createLogger } from '../../../src/logger.ts';
import {
  type MirrorItem,
  type PostStep,
  SurfaceRetryLater,
  type ThreadHeader,
  type ThreadRef,
} from '../../../src/ports/agent-surface.ts';
import { ADMIN_TOKEN, BOT_TOKEN, fakeSlack, SLACK_API_URL } from '../../support/fake-slack.ts';
import { useMsw } from '../../support/msw.ts';
import { createTestRedis } from '../../support/redis.ts';
import { localTestStorage } from '../../support/storage.ts';

/**
 * The Slack surface against the Web API fake, with real Redis (holds, pacing) and storage. Time
 * for holds and pacing is a clock the test moves, the way a delayed job comes back later.
 */
export function slackSurfaceHarness() {
  const redis = createTestRedis();
  const storage = localTestStorage();
  // Slack stamps posts with the real time: a post Parley lost track of is looked up by when it was tried.
  const slack = fakeSlack({ now: Date.now });
  useMsw(...slack.handlers);
  beforeEach(() => slack.reset());
  const clock = { now: Date.now() };
  const api = createSlackApi({
    token: BOT_TOKEN,
    apiUrl: SLACK_API_URL,
    redis: redis.producer,
    prefix: redis.prefix,
    now: () => clock.now,
    timeoutMs: 300,
  });
  const slackIds = new Map<string, string>();
  const homes = new Map<string, object>();
  const digests = new Map<string, { channel: string; text: string; blocks: object[] }>();
  const logger = createLogger('silent');
  const surfaceDeps = {
    api,
    storage,
    logger,
    loadUserSlackId: async (id: string) => slackIds.get(id) ?? null,
    renderHome: async (id: string) => homes.get(id) ?? null,
    renderDigest: async (id: string) => digests.get(id) ?? null,
    redis: redis.producer,
    prefix: redis.prefix,
  };
  const surface = createSlackSurface(surfaceDeps);
  /** The same surface given an admin's user token (SLACK_USER_TOKEN). */
  const surfaceWithUserToken = createSlackSurface({ ...surfaceDeps, userToken: ADMIN_TOKEN });

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
  const newChannel = () => `C${randomBytes(5).toString('hex').toUpperCase()}`;

  /** A channel thread with its header posted; returns the saved ref. */
  const openChannelThread = async (h: ThreadHeader = header()) => {
    const channel = newChannel();
    const ref = await surface.openThread(
      { kind: 'channel', key: `channel:${channel}`, channelId: channel },
      h,
    );
    return { channel, ref, header: h };
  };

  /**
   * One run of postItems as the mirror worker does it: each step saved (the ref replaced) before
   * the next; stops at the first error, returning it with what was saved.
   */
  const run = async (ref: ThreadRef, items: MirrorItem[]) => {
    const steps: PostStep[] = [];
    let saved = ref;
    try {
      for await (const step of surface.postItems(ref, items)) {
        steps.push(step);
        saved = step.thread;
      }
      return { steps, ref: saved, error: null as Error | null };
    } catch (error) {
      return { steps, ref: saved, error: error as Error };
    }
  };

  /** Runs until every item is posted, moving the clock by each wait (a delayed job coming back). */
  const postAll = async (ref: ThreadRef, items: MirrorItem[]) => {
    const posted: Extract<PostStep, { kind: 'posted' }>[] = [];
    let saved = ref;
    for (let round = 0; round < 50; round++) {
      const done = new Set(posted.flatMap((p) => p.messageIds));
      const r = await run(
        saved,
        items.filter((i) => !done.has(i.messageId)),
      );
      saved = r.ref;
      posted.push(...r.steps.filter((s): s is Extract<PostStep, { kind: 'posted' }> => s.kind === 'posted'));
      if (!r.error) return { posted, ref: saved };
      if (!(r.error instanceof SurfaceRetryLater)) throw r.error;
      clock.now += r.error.retryAfterMs;
    }
    throw new Error('postAll did not finish');
  };

  return {
    slack,
    api,
    surface,
    surfaceWithUserToken,
    storage,
    clock,
    redis,
    slackIds,
    homes,
    digests,
    header,
    item,
    newChannel,
    openChannelThread,
    run,
    postAll,
  };
}
