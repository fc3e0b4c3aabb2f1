import { describe, expect, it } from 'vitest';
import { type Conversation, SurfaceThread, User } from '../../src/db/entities/index.ts';
import {
  defaultHomeFilters,
  type HomeData,
  type HomeFilters,
  loadHomeData,
  parseHomeFilters,
} from '../../src/queries/home-data.ts';
import { createTestDb } from '../support/test-db.ts';
import { clock, seedConversation, workspace } from './support.ts';

const db = await createTestDb();
const { ws } = await workspace(db);
const now = clock();
const inbound = (text: string) => ({ kind: 'inbound' as const, text });

const publicOne = await seedConversation(db, ws, now, {
  contactName: 'Paula Public',
  assignees: [ws.bob],
  messages: [inbound('where is my parcel?')],
});
const unassigned = await seedConversation(db, ws, now, {
  contactName: 'Uma Unassigned',
  messages: [inbound('hello?'), { kind: 'reply', text: 'Hi Uma', author: ws.bob }],
});
const secret = await seedConversation(db, ws, now, {
  contactName: 'Rex Restricted',
  assignees: [ws.alice],
  visibleTo: [ws.alice, ws.admin],
  messages: [inbound('my diagnosis is confidential'), inbound('please call')],
});
const closedMine = await seedConversation(db, ws, now, {
  contactName: 'Cleo Closed',
  assignees: [ws.alice],
  status: 'closed',
});

// Threads as the mirror leaves them: the public conversation in the group channel; the restricted
// one reduced to a stub there and open in each listed user's direct messages (R31).
async function seedThread(
  conv: Conversation,
  place: string,
  ref: { channel: string; ts: string },
  state = 'active',
) {
  const em = db.em();
  em.create(SurfaceThread, {
    conversation: conv.id,
    surface: 'slack',
    place,
    ref,
    state: state as 'active',
  });
  await em.flush();
}
await seedThread(publicOne, 'channel:C_SUPPORT', { channel: 'C_SUPPORT', ts: '1700000000.000100' });
await seedThread(secret, 'channel:C_SUPPORT', { channel: 'C_SUPPORT', ts: '1700000000.000200' }, 'stub');
await seedThread(secret, `user:${ws.alice.id}:U_ALICE`, { channel: 'D_ALICE', ts: '1700000000.000300' });
await seedThread(secret, `user:${ws.admin.id}:U_ADA`, { channel: 'D_ADA', ts: '1700000000.000400' });

const home = async (userId: string, filters: HomeFilters = defaultHomeFilters, limit?: number) => {
  const data = await loadHomeData(db.em(), userId, filters, { limit });
  if (!data) throw new Error('expected a home');
  return data;
};
const ids = (items: HomeData['myInbox']) => items.map((i) => i.conversationId);

describe('App Home data', () => {
  it('R26 R17: a restricted conversation is counted and listed for a user on its list, not for another agent', async () => {
    const alice = await home(ws.alice.id);
    expect(alice.tiles).toMatchObject({ assignedToMe: 1, myUnreplied: 2, unassigned: 1, unreplied: 3 });
    expect(ids(alice.myInbox)).toEqual([secret.id]);
    expect(ids(alice.teamInbox)).toContain(secret.id);

    const bob = await home(ws.bob.id);
    expect(bob.tiles).toMatchObject({ assignedToMe: 1, myUnreplied: 1, unassigned: 1, unreplied: 1 });
    expect(ids(bob.teamInbox)).toEqual([unassigned.id, publicOne.id]);
    expect(JSON.stringify(bob)).not.toContain('Rex Restricted');
    expect(JSON.stringify(bob)).not.toContain('confidential');
  });

  it('R26: items carry what the Home draws: number, contact, channel, assignee names, unreplied, preview', async () => {
    const alice = await home(ws.alice.id);
    expect(alice.userName).toBe('Alice');
    expect(alice.groups).toEqual([{ id: ws.group.id, name: 'Support' }]);
    expect(alice.teamInbox.find((i) => i.conversationId === publicOne.id)).toMatchObject({
      number: publicOne.number,
      kind: 'conversation',
      contactName: 'Paula Public',
      channel: 'whatsapp',
      status: 'open',
      assignees: ['Bob'],
      unrepliedCount: 1,
      restricted: false,
      preview: 'where is my parcel?',
    });
  });

  it("R28 R31: the link is the channel thread for a normal conversation and the viewer's own DM thread for a restricted one", async () => {
    const alice = await home(ws.alice.id);
    const byId = new Map(alice.teamInbox.map((i) => [i.conversationId, i.thread]));
    expect(byId.get(publicOne.id)).toEqual({ channel: 'C_SUPPORT', ts: '1700000000.000100' });
    expect(byId.get(secret.id)).toEqual({ channel: 'D_ALICE', ts: '1700000000.000300' });
    expect(byId.get(unassigned.id)).toBeNull();

    const admin = await home(ws.admin.id);
    expect(admin.teamInbox.find((i) => i.conversationId === secret.id)?.thread).toEqual({
      channel: 'D_ADA',
      ts: '1700000000.000400',
    });
  });

  it('R32: filters change the lists', async () => {
    const closed = await home(ws.alice.id, { ...defaultHomeFilters, my: { status: 'closed' } });
    expect(ids(closed.myInbox)).toEqual([closedMine.id]);

    const team = (show: HomeFilters['team']['show']) =>
      home(ws.alice.id, { my: { status: 'open' }, team: { groupId: ws.group.id, show } });
    expect(ids((await team('unassigned')).teamInbox)).toEqual([unassigned.id]);
    expect(ids((await team('unreplied')).teamInbox)).toEqual([secret.id, publicOne.id]);
    expect(ids((await team('closed')).teamInbox)).toEqual([closedMine.id]);
    expect((await team('all')).filters.team).toEqual({ groupId: ws.group.id, show: 'all' });
  });

  it('R33: a group the user is not in falls back to all their groups', async () => {
    const data = await home(ws.alice.id, {
      my: { status: 'open' },
      team: { groupId: ws.otherGroup.id, show: 'all' },
    });
    expect(data.filters.team.groupId).toBeNull();
    expect(ids(data.teamInbox)).toContain(publicOne.id);
  });

  it('R32: a short list says whether more is left', async () => {
    const data = await home(ws.alice.id, defaultHomeFilters, 1);
    expect(data.teamInbox).toHaveLength(1);
    expect(data.moreTeam).toBe(true);
    expect(data.moreMine).toBe(false);
  });

  it('R33: no Home for an unknown or inactive user', async () => {
    expect(
      await loadHomeData(db.em(), '00000000-0000-4000-8000-000000000000', defaultHomeFilters),
    ).toBeNull();
    const em = db.em();
    const bob = await em.findOneOrFail(User, ws.bob.id);
    bob.active = false;
    await em.flush();
    expect(await loadHomeData(db.em(), ws.bob.id, defaultHomeFilters)).toBeNull();
    bob.active = true;
    await em.flush();
  });
});

describe('App Home filters in private_metadata', () => {
  it('R32: filters round-trip; bad input gives the defaults field by field, never an error', () => {
    const filters: HomeFilters = {
      my: { status: 'closed' },
      team: { groupId: ws.group.id, show: 'unreplied' },
    };
    expect(parseHomeFilters(JSON.stringify(filters))).toEqual(filters);
    expect(parseHomeFilters(undefined)).toEqual(defaultHomeFilters);
    expect(parseHomeFilters('not json{')).toEqual(defaultHomeFilters);
    expect(parseHomeFilters('null')).toEqual(defaultHomeFilters);
    expect(
      parseHomeFilters(JSON.stringify({ my: { status: 'deleted' }, team: { groupId: 'x', show: 'closed' } })),
    ).toEqual({ my: { status: 'open' }, team: { groupId: null, show: 'closed' } });
  });
});
