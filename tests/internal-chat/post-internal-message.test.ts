import { beforeAll, describe, expect, it } from 'vitest';
import { InternalMessage, InternalPost, User } from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { reconcileInternalPosts } from '../../src/jobs/reconcile-internal-chat.ts';
import { type AgentSurface, SurfaceRetryLater } from '../../src/ports/agent-surface.ts';
import { sendInternalMessage } from '../../src/use-cases/internal-chat.ts';
import { postInternalMessage } from '../../src/use-cases/post-internal-message.ts';
import { recordingSurface } from '../support/fake-surface.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestRedis } from '../support/redis.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * R25 and DESIGN 2/4: an internal message is posted once to each direct message it goes to, on
 * every surface its recipient is linked on; a surface that must wait gets it later without the
 * others posting twice; a post whose answer was lost is looked for first; the reconciler wakes
 * messages still not posted.
 */
const db = await createTestDb();
const redis = createTestRedis();
let ws: Workspace;

const slack = recordingSurface('slack');
const teamsRecorder = recordingSurface('teams');
const teamsCalls: { lookFirst: boolean }[] = [];
let teamsWaits = 0;
let teamsLoses = 0;
const teams: AgentSurface = {
  ...teamsRecorder.surface,
  userIdOf: (u) => u.teamsUserId ?? null,
  postInternalMessage: async (id, message, opts) => {
    teamsCalls.push({ lookFirst: opts.lookFirst });
    if (teamsWaits > 0) {
      teamsWaits--;
      throw new SurfaceRetryLater('paced', 1_500);
    }
    if (teamsLoses > 0) {
      teamsLoses--;
      throw new Error('socket hang up');
    }
    return teamsRecorder.surface.postInternalMessage(id, message, opts);
  },
};
const surfaces = new Map([
  ['slack', slack.surface],
  ['teams', teams],
]);
const post = (messageId: string) => postInternalMessage({ em: db.em(), surfaces }, messageId);

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
  // Bob works in both Slack and Teams.
  await db.em().nativeUpdate(User, { id: ws.bob.id }, { slackUserId: 'U_BOB', teamsUserId: 'aad-bob' });
});

describe('posting internal messages (R25)', () => {
  it('R25: goes to the recipient on each surface they are linked on, never to the author; a paced surface gets it later, the others not twice', async () => {
    const { message } = await sendInternalMessage({ em: db.em() }, userActor(ws.alice.id), {
      toUserId: ws.bob.id,
      text: 'Lunch at 1?',
    });
    teamsWaits = 1;
    expect(await post(message.id)).toEqual({ outcome: 'later', retryAfterMs: 1_500 });
    expect(slack.internalPosts.map((p) => [p.platformUserId, p.message.text])).toEqual([
      ['U_BOB', 'Lunch at 1?'],
    ]);
    expect(teamsRecorder.internalPosts).toHaveLength(0);
    expect((await db.em().findOneOrFail(InternalMessage, message.id)).postedAt).toBeNull();

    // The retry: Slack's post is not made again; Teams was told to wait before posting, so it posts.
    expect(await post(message.id)).toEqual({ outcome: 'posted' });
    expect(slack.internalPosts).toHaveLength(1);
    expect(teamsRecorder.internalPosts.map((p) => [p.platformUserId, p.message.authorName])).toEqual([
      ['aad-bob', 'Alice'],
    ]);
    expect(teamsCalls).toEqual([{ lookFirst: false }, { lookFirst: false }]);
    const rows = await db.em().find(InternalPost, { message: message.id });
    expect(rows.map((r) => [r.surface, r.user.id, r.threadKey !== null]).sort()).toEqual([
      ['slack', ws.bob.id, true],
      ['teams', ws.bob.id, true],
    ]);
    expect(await post(message.id)).toEqual({ outcome: 'nothing to post' });
  });

  it('DESIGN 4: a post whose answer was lost is looked for before it is posted again', async () => {
    const { message } = await sendInternalMessage({ em: db.em() }, userActor(ws.alice.id), {
      toUserId: ws.bob.id,
      text: 'Are you there?',
    });
    teamsCalls.length = 0;
    teamsLoses = 1;
    await expect(post(message.id)).rejects.toThrow('socket hang up');
    expect(await post(message.id)).toEqual({ outcome: 'posted' });
    expect(teamsCalls).toEqual([{ lookFirst: false }, { lookFirst: true }]);
    expect(slack.internalPosts.filter((p) => p.message.text === 'Are you there?')).toHaveLength(1);
  });

  it('R25: the reconciler wakes a message not yet posted once its first job had time, and not one already posted', async () => {
    const { message } = await sendInternalMessage({ em: db.em() }, userActor(ws.bob.id), {
      toUserId: ws.alice.id,
      text: 'Yes!',
    });
    const wake = (at: Date) =>
      reconcileInternalPosts({ em: db.em(), queues: redis.queues, now: at, batch: 100 });
    expect(await wake(new Date())).toBe(0);
    const later = new Date(Date.now() + 60_000);
    expect(await wake(later)).toBe(1);
    const jobs = await redis.queues.byName.get('internal-post')!.getJobs(['waiting', 'delayed']);
    expect(jobs.map((j) => j.data.messageId)).toContain(message.id);
    await post(message.id);
    expect(slack.internalPosts.at(-1)?.platformUserId).toBe('U_ALICE');
    expect(await wake(later)).toBe(0);
  });
});
