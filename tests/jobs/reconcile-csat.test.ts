import { beforeAll, describe, expect, it } from 'vitest';
import { CsatSurvey, Group, Message } from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { reconcileCsat } from '../../src/jobs/reconcile-csat.ts';
import { assignConversation } from '../../src/use-cases/assign-conversation.ts';
import { closeConversation } from '../../src/use-cases/close-conversation.ts';
import { askForRating } from '../../src/use-cases/csat-ask.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestRedis } from '../support/redis.ts';
import { createTestDb } from '../support/test-db.ts';
import { ctxAt, customerWrites, newPhone } from '../use-cases/messages/support.ts';

const db = await createTestDb();
const redis = createTestRedis();
let ws: Workspace;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(Group, { id: ws.group.id }, { csat: 'on' });
});

const csatJobs = async () =>
  (await redis.queues.byName.get('csat')!.getJobs(['waiting', 'delayed', 'prioritized'])).map(
    (j) => j.data.surveyId as string,
  );

describe('reconcile CSAT (R42)', () => {
  it('R42: a close whose csat job was lost is asked after the reconciler wakes it, once', async () => {
    const closedAt = new Date('2026-06-01T10:00:00Z');
    const { conversationId } = await customerWrites(db, {
      from: newPhone(),
      at: new Date(closedAt.getTime() - 60_000),
    });
    const alice = userActor(ws.alice.id);
    await assignConversation(ctxAt(db, closedAt), alice, { conversationId, assigneeIds: [ws.alice.id] });
    // No dispatch: the wake-up never reached Redis.
    await closeConversation(ctxAt(db, closedAt), alice, { conversationId });
    const survey = await db.em().fork().findOneOrFail(CsatSurvey, { conversation: conversationId });
    expect([survey.state, survey.agentIds]).toEqual(['due', [ws.alice.id]]);

    // A moment later its own wake-up may still be on the way: left alone.
    const sweep = (at: Date) => reconcileCsat({ em: db.em(), queues: redis.queues, now: at, batch: 100 });
    expect(await sweep(new Date(closedAt.getTime() + 5_000))).toBe(0);
    expect(await sweep(new Date(closedAt.getTime() + 60_000))).toBe(1);
    expect(await csatJobs()).toContain(survey.id);

    // The job asks (inside the window); run again, it does nothing.
    const asked = await askForRating(ctxAt(db, new Date(closedAt.getTime() + 61_000)), survey.id);
    expect(asked.outcome).toBe('asked');
    expect(asked.events.map((e) => e.type)).toEqual(['message.created']);
    expect((await askForRating(ctxAt(db), survey.id)).outcome).toBe('nothing_to_do');
    const requests = await db
      .em()
      .fork()
      .find(Message, { conversation: conversationId, kind: 'auto_response' });
    expect(requests.map((m) => [m.deliveryState, m.meta.csat])).toEqual([['queued', survey.id]]);
    expect(await sweep(new Date(closedAt.getTime() + 120_000))).toBe(0);
  });
});
