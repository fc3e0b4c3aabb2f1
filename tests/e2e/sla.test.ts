import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation, Group, SlaWait, User } from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { reconcileSla } from '../../src/jobs/reconcile-sla.ts';
import { dashboardTiles } from '../../src/queries/dashboard-tiles.ts';
import { loadDigestData } from '../../src/queries/digest-data.ts';
import { assignConversation } from '../../src/use-cases/assign-conversation.ts';
import { restrictVisibility } from '../../src/use-cases/restrict-visibility.ts';
import type { SlackPost } from '../support/fake-slack.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * R39 end to end: WhatsApp customers through the real webhook, the real reconciler step and
 * BullMQ workers, Bolt and the Slack fake. The clock is fixed by the instants the reconciler is
 * given; they lie in the future, so the harness's own reconcile runs (real time) never reach them.
 * Support is open Monday to Friday 09:00–18:00 in Berlin; the first reply is due in 30 business
 * minutes, and the assignees hear 10 minutes before.
 */
const db = await createTestDb();
const h = slackHarness(db);
let ws: Workspace;

// Friday 8 January 2027, 17:50 in Berlin (CET, UTC+1): ten minutes before closing.
const FRIDAY_1750 = new Date('2027-01-08T16:50:00Z');
const SATURDAY_NOON = new Date('2027-01-09T11:00:00Z');
// The 20 minutes left count from Monday 09:00: the warning at 09:10, the breach at 09:20.
const MONDAY_0910 = new Date('2027-01-11T08:10:00Z');
const MONDAY_0920 = new Date('2027-01-11T08:20:00Z');
const MONDAY_0912 = new Date('2027-01-11T08:12:00Z');
const MONDAY_0922 = new Date('2027-01-11T08:22:00Z');

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  for (const [u, slack] of [
    [ws.alice, 'U_ALICE'],
    [ws.bob, 'U_BOB'],
    [ws.admin, 'U_ADA'],
  ] as const)
    await db.em().nativeUpdate(User, { id: u.id }, { slackUserId: slack });
  const weekday = [{ from: '09:00', to: '18:00' }];
  await db.em().nativeUpdate(
    Group,
    { id: ws.group.id },
    {
      autoResponder: {
        enabled: false,
        timeZone: 'Europe/Berlin',
        hours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday },
      },
      sla: { firstResponseMinutes: 30, nextResponseMinutes: 60, warnBeforeMinutes: 10 },
    },
  );
});

let phone = 15550390000;
/** A customer writes on WhatsApp; their wait is then dated Friday 17:50 (the clock under test). */
async function customerWaitingSinceFriday(assignee?: User) {
  const waId = String(++phone);
  const header = await h.customerThread(waId, `Hello from ${waId}`);
  const conv = await db
    .em()
    .findOneOrFail(Conversation, { number: { $gt: 0 } }, { orderBy: { number: 'desc' } });
  if (assignee)
    await assignConversation(h.services.context(), userActor(ws.admin.id), {
      conversationId: conv.id,
      assigneeIds: [assignee.id],
    });
  await db.em().nativeUpdate(Conversation, { id: conv.id }, { humanWaitingSince: FRIDAY_1750 });
  // The wait the harness's own reconcile run recorded at today's date is not the one under test.
  await db.em().nativeDelete(SlaWait, { conversation: conv.id });
  return { conv, header };
}

const runSla = (now: Date) =>
  reconcileSla({ em: h.services.context().em, queues: h.services.queues, now, batch: 100 });
const slaPosts = (channel: string, number: number) =>
  h.slack.posts.filter(
    (p) => p.channel === channel && h.slack.visible(p).includes(`#${number}`) && /SLA/.test(p.text),
  );
const headerNow = (header: SlackPost) =>
  JSON.stringify(h.slack.posts.find((p) => p.ts === header.ts)?.blocks);
const fresh = (id: string) => db.em().fork().findOneOrFail(Conversation, { id });

describe('SLA targets in business hours (R39)', () => {
  it('R39: a wait that starts Friday 17:50 is due Monday 09:20; the assignee is warned privately at 09:10, the channel told at the breach; the header and the breaching tile flag it until a person replies', {
    timeout: 60_000,
  }, async () => {
    const { conv, header } = await customerWaitingSinceFriday(ws.alice);

    // Saturday noon: 19 wall-clock hours later, yet only 10 business minutes have passed.
    expect(await runSla(SATURDAY_NOON)).toBe(0);
    const wait = await db
      .em()
      .fork()
      .findOneOrFail(SlaWait, { conversation: conv.id, startedAt: FRIDAY_1750 });
    expect([wait.kind, wait.warnAt, wait.dueAt]).toEqual(['first', MONDAY_0910, MONDAY_0920]);
    await settled(h.services);
    expect(slaPosts('U_ALICE', conv.number)).toEqual([]);

    // Monday 09:12: the warning, to the assignee only.
    expect(await runSla(MONDAY_0912)).toBe(1);
    await eventually(() => slaPosts('U_ALICE', conv.number).length > 0);
    await settled(h.services);
    const warned = slaPosts('U_ALICE', conv.number);
    expect(warned.map((p) => p.text)).toEqual([
      expect.stringMatching(
        /^SLA warning: #\d+ \(Customer \d+\) needs a first reply by Mon, 09:20 CET, in 10 business minutes\.$/,
      ),
    ]);
    expect(slaPosts('C_SUPPORT', conv.number)).toEqual([]);
    expect(headerNow(header)).not.toContain('SLA breached');

    // Monday 09:22: the breach, in the channel and to the assignee; flagged everywhere.
    expect(await runSla(MONDAY_0922)).toBe(1);
    await eventually(() => slaPosts('C_SUPPORT', conv.number).length > 0);
    await settled(h.services);
    expect(slaPosts('C_SUPPORT', conv.number).map((p) => p.text)).toEqual([
      expect.stringContaining(`SLA breached: #${conv.number}`),
    ]);
    expect(slaPosts('U_ALICE', conv.number)).toHaveLength(2);
    expect(slaPosts('U_BOB', conv.number)).toEqual([]);
    expect(headerNow(header)).toContain('SLA breached');
    expect(headerNow(header)).toContain('Fri, 17:50 CET');
    const viewer = {
      id: ws.bob.id,
      accountId: ws.group.account.id,
      role: 'agent' as const,
      groupIds: [ws.group.id],
    };
    const tiles = await dashboardTiles(db.em().fork(), viewer);
    expect(tiles.breaching).toBe(1);
    expect(tiles.tiles.find((t) => t.key === 'breaching')).toMatchObject({
      count: 1,
      label: 'Breaching SLA',
    });
    expect((await loadDigestData(db.em().fork(), ws.group.id))?.sla?.breachingNow).toBe(1);
    // A second run finds nothing more to tell.
    expect(await runSla(MONDAY_0922)).toBe(0);

    // Alice answers in the thread: the clock stops, the flag goes, the figures keep the breach.
    await h.writesInThread('U_ALICE', 'Sorry for the wait, looking now.', header.ts);
    await eventually(async () => (await fresh(conv.id)).slaBreachedAt === null);
    await settled(h.services);
    expect(headerNow(header)).not.toContain('SLA breached');
    expect((await dashboardTiles(db.em().fork(), viewer)).breaching).toBe(0);
    const ended = await db.em().fork().findOneOrFail(SlaWait, { id: wait.id });
    expect([ended.endedBy, ended.breachedAt !== null, ended.warnedAt !== null]).toEqual([
      'reply',
      true,
      true,
    ]);
    const digest = await loadDigestData(db.em().fork(), ws.group.id);
    expect(digest?.sla).toMatchObject({ breachingNow: 0, breached: 1, measured: 1, firstResponses: 1 });
  });

  it('R39, R17: a restricted conversation’s breach is told only to the people on its list, never in the channel, and is left out of the digest', {
    timeout: 60_000,
  }, async () => {
    const { conv } = await customerWaitingSinceFriday();
    await restrictVisibility(h.services.context(), userActor(ws.alice.id), {
      conversationId: conv.id,
      visibleToIds: [ws.alice.id],
    });
    await runSla(SATURDAY_NOON);
    // Nobody is assigned: no warning goes to anyone.
    await runSla(MONDAY_0912);
    await settled(h.services);
    expect(
      h.slack.posts.filter((p) => /SLA warning/.test(p.text) && p.text.includes(`#${conv.number} `)),
    ).toEqual([]);

    await runSla(MONDAY_0922);
    await eventually(() => slaPosts('U_ALICE', conv.number).length > 0);
    await settled(h.services);
    expect(slaPosts('U_ALICE', conv.number).map((p) => p.text)).toEqual([
      expect.stringContaining(`SLA breached: #${conv.number}`),
    ]);
    for (const elsewhere of ['C_SUPPORT', 'U_BOB', 'U_ADA'])
      expect(
        h.slack.posts.filter(
          (p) => p.channel === elsewhere && p.text.includes(`SLA breached: #${conv.number} `),
        ),
      ).toEqual([]);
    expect((await fresh(conv.id)).slaBreachedAt).not.toBeNull();
    // Bob may not see it: his tile leaves it out; the channel's digest does too.
    const bob = {
      id: ws.bob.id,
      accountId: ws.group.account.id,
      role: 'agent' as const,
      groupIds: [ws.group.id],
    };
    const alice = { ...bob, id: ws.alice.id };
    const [bobs, alices] = [
      await dashboardTiles(db.em().fork(), bob),
      await dashboardTiles(db.em().fork(), alice),
    ];
    expect(alices.breaching - bobs.breaching).toBe(1);
    expect((await loadDigestData(db.em().fork(), ws.group.id))?.sla?.breachingNow).toBe(bobs.breaching);
  });

  it('R39: an AI answer or an automatic one does not stop the clock; closing ends the wait without a breach', async () => {
    const { conv } = await customerWaitingSinceFriday(ws.bob);
    await runSla(SATURDAY_NOON);
    const { appendMessage } = await import('../../src/use-cases/timeline.ts');
    await db
      .em()
      .fork()
      .transactional(async (tx) => {
        const c = await tx.findOneOrFail(Conversation, { id: conv.id });
        await appendMessage(tx, c, { kind: 'ai', text: 'An AI answer', now: SATURDAY_NOON });
        await appendMessage(tx, c, { kind: 'auto_response', text: 'We are closed', now: SATURDAY_NOON });
      });
    const after = await fresh(conv.id);
    expect([after.unrepliedCount, after.humanWaitingSince]).toEqual([0, FRIDAY_1750]);

    const { closeConversation } = await import('../../src/use-cases/close-conversation.ts');
    await closeConversation(h.services.context(), userActor(ws.bob.id), { conversationId: conv.id });
    expect(await runSla(MONDAY_0922)).toBe(0);
    await settled(h.services);
    const ended = await db
      .em()
      .fork()
      .findOneOrFail(SlaWait, { conversation: conv.id, startedAt: FRIDAY_1750 });
    expect([ended.endedBy, ended.breachedAt]).toEqual(['close', null]);
    expect(slaPosts('U_BOB', conv.number)).toEqual([]);
  });
});
