import { describe, expect, it } from 'vitest';
import { AiTurn, Group, Message, SurfaceThread } from '../../src/db/entities/index.ts';
import { loadDigestData } from '../../src/queries/digest-data.ts';
import { createTestDb } from '../support/test-db.ts';
import { clock, seedConversation, workspace } from './support.ts';

const db = await createTestDb();
const { ws } = await workspace(db);
const now = clock();
const inbound = (text: string) => ({ kind: 'inbound' as const, text });

const oldest = await seedConversation(db, ws, now, {
  contactName: 'Olga Oldest',
  messages: [inbound('first'), inbound('second')],
});
const secret = await seedConversation(db, ws, now, {
  contactName: 'Rex Restricted',
  assignees: [ws.alice],
  visibleTo: [ws.alice],
  messages: [inbound('confidential'), inbound('more'), inbound('and more')],
});
await seedConversation(db, ws, now, {
  contactName: 'Ana Answered',
  assignees: [ws.bob],
  messages: [inbound('hi'), { kind: 'reply', text: 'hello', author: ws.bob }],
});
const newer = await seedConversation(db, ws, now, { contactName: 'Nina Newer', assignees: [ws.bob] });
await seedConversation(db, ws, now, { contactName: 'Cleo Closed', status: 'closed' });
await seedConversation(db, ws, now, { contactName: 'Sam Sales', group: ws.otherGroup });
for (let i = 0; i < 5; i++) await seedConversation(db, ws, now, { contactName: `Later ${i}` });

const em = db.em();
em.create(SurfaceThread, {
  conversation: oldest.id,
  surface: 'slack',
  place: 'channel:C_SUPPORT',
  ref: { channel: 'C_SUPPORT', ts: '1700000000.000100' },
});
em.create(SurfaceThread, {
  conversation: newer.id,
  surface: 'slack',
  place: 'channel:C_OLD',
  ref: { channel: 'C_OLD', ts: '1700000000.000200' },
});
await em.flush();

describe('group digest data', () => {
  it('R27 R17: the figures of the whole group leave restricted conversations out entirely', async () => {
    const digest = await loadDigestData(db.em(), ws.group.id);
    expect(digest).toMatchObject({ groupId: ws.group.id, groupName: 'Support', slackChannelId: 'C_SUPPORT' });
    // Open: Olga, Ana, Nina and 5 later ones; Rex is restricted, Cleo closed, Sam in Sales.
    expect(digest?.figures).toEqual({ unassigned: 6, unreplied: 8, open: 8 });
    expect(JSON.stringify(digest)).not.toContain('Rex Restricted');
    expect(digest?.oldestUnreplied.map((i) => i.conversationId)).not.toContain(secret.id);
  });

  it('R27: the five conversations waiting longest, oldest first, with their thread in the group channel', async () => {
    const digest = await loadDigestData(db.em(), ws.group.id);
    expect(digest?.oldestUnreplied.map((i) => i.contactName)).toEqual([
      'Olga Oldest',
      'Nina Newer',
      'Later 0',
      'Later 1',
      'Later 2',
    ]);
    expect(digest?.oldestUnreplied[0]).toMatchObject({
      conversationId: oldest.id,
      number: oldest.number,
      channel: 'whatsapp',
      unrepliedCount: 2,
      oldestUnrepliedAt: oldest.oldestUnrepliedAt?.toISOString(),
      thread: { channel: 'C_SUPPORT', ts: '1700000000.000100' },
    });
    // A thread in a channel the group no longer links to is not offered.
    expect(digest?.oldestUnreplied[1]?.thread).toBeNull();
  });

  it('R27: no digest for a group that is gone', async () => {
    expect(await loadDigestData(db.em(), '00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});

describe('the AI agent in the digest (R36)', () => {
  it("counts the agent's answers, handoffs and tokens of the last 24 hours, never a restricted conversation's", async () => {
    expect((await loadDigestData(db.em(), ws.group.id))?.ai).toBeNull();
    const tx = db.em();
    const group = await tx.findOneOrFail(Group, { id: ws.group.id });
    group.aiAgent = { enabled: true, name: 'Ava' };
    const turn = (
      conversationId: string,
      status: 'answered' | 'handed_off',
      tokens: number,
      ageHours = 1,
    ) => {
      const trigger = tx.create(Message, {
        account: ws.account,
        conversation: conversationId,
        seq: 1000 + ++turns,
        kind: 'inbound',
        text: `t${turns}`,
      });
      tx.create(AiTurn, {
        account: ws.account,
        group: ws.group.id,
        conversation: conversationId,
        trigger,
        status,
        inputTokens: tokens,
        outputTokens: 10,
        createdAt: new Date(Date.now() - ageHours * 3_600_000),
      });
    };
    let turns = 0;
    turn(oldest.id, 'answered', 100);
    turn(newer.id, 'handed_off', 200);
    turn(secret.id, 'answered', 5_000);
    turn(oldest.id, 'answered', 7_000, 30);
    await tx.flush();
    expect((await loadDigestData(db.em(), ws.group.id))?.ai).toEqual({
      answers: 1,
      handoffs: 1,
      tokens: 320,
    });
  });
});
