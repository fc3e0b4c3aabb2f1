import type { EntityManager } from '@mikro-orm/postgresql';
import { beforeAll, describe, expect, it } from 'vitest';
import { INACTIVE_TEXT } from '../../../adapters/surfaces/teams/home.ts';
import { personalChat } from '../../../adapters/surfaces/teams/personal-chats.ts';
import { Conversation, TeamsPersonalChat, User } from '../../../src/db/entities/index.ts';
import { appendMessage } from '../../../src/use-cases/timeline.ts';
import { conversationWithQueuedReply } from '../../support/conversations.ts';
import type { TeamsUser } from '../../support/fake-teams.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { teamsSurfaceHarness } from './surface-harness.ts';

const h = await teamsSurfaceHarness();
const { teams, surface } = h;
const CHANNEL = '19:digest0channel@thread.tacv2';
let ws: Workspace;
let alice: TeamsUser;
let bob: TeamsUser;
let carol: TeamsUser;
let privateNumber: number;
let openNumber: number;
/** What the `dashboard` command does (inbound/dashboard-actions.ts): open the chat, draw the card. */
const showDashboard = async (userId: string) => {
  const user = await h.db.em().findOneOrFail(User, userId);
  await personalChat({ api: h.api, em: h.db.em }, user.teamsUserId!);
  await surface.publishHome(userId, { force: true });
};

beforeAll(async () => {
  const em = h.db.em();
  ws = await seedWorkspace(em);
  alice = teams.addUser({ name: 'Alice' });
  bob = teams.addUser({ name: 'Bob' });
  carol = teams.addUser({ name: 'Carol', installed: false });
  Object.assign(em.merge(ws.group), { teamsTeamId: h.TEAM, teamsChannelId: CHANNEL });
  em.merge(ws.alice).teamsUserId = alice.aadObjectId;
  em.merge(ws.bob).teamsUserId = bob.aadObjectId;
  em.merge(ws.carol).teamsUserId = carol.aadObjectId;
  await em.flush();
  const restricted = await conversationWithQueuedReply(h.db.em(), ws, 'private');
  const open = await conversationWithQueuedReply(h.db.em(), ws, 'open');
  await h.db.em().nativeUpdate(Conversation, { id: restricted.conv.id }, { visibleToIds: [ws.alice.id] });
  // Both wait for a reply again, so the digest lists what it may.
  for (const { conv } of [restricted, open])
    await h.db.em().transactional(async (tx) => {
      const c = await tx.findOneOrFail(Conversation, conv.id);
      await appendMessage(tx as EntityManager, c, {
        kind: 'inbound',
        text: 'Hello?',
        channel: 'whatsapp',
        now: new Date(),
      });
    });
  privateNumber = restricted.conv.number;
  openNumber = open.conv.number;
});

const dashboardOf = async (user: TeamsUser) => {
  const row = await h.db.em().findOne(TeamsPersonalChat, { teamsUserId: user.aadObjectId });
  return row?.dashboardActivityId ? teams.activity(row.conversationId, row.dashboardActivityId) : null;
};

describe('private notices (R29, R33)', () => {
  it('notify writes in the user’s personal chat, with markup kept as text; a user without the app installed is skipped, not failed', async () => {
    await surface.notify(ws.alice.id, 'Not delivered to **Dana** <at>everyone</at>');
    const [said] = teams.chatWith(alice.aadObjectId);
    expect(said!.text).not.toContain('**Dana**');
    expect(said!.text).toContain('Dana');
    await expect(surface.notify(ws.carol.id, 'hello')).resolves.toBeUndefined();
    expect(teams.chatWith(carol.aadObjectId)).toEqual([]);
  });
});

describe('the dashboard (R26, R32)', () => {
  it('R26: each viewer gets their own card in their personal chat, posted once and then updated in place (R17: only what they may see)', async () => {
    await showDashboard(ws.alice.id);
    await surface.notify(ws.bob.id, 'hi');
    await surface.publishHome(ws.bob.id);
    const aliceCard = await dashboardOf(alice);
    const bobCard = await dashboardOf(bob);
    expect(teams.visible(aliceCard!)).toContain(`#${privateNumber}`);
    expect(teams.visible(bobCard!)).not.toContain(`#${privateNumber}`);
    expect(teams.visible(bobCard!)).toContain(`#${openNumber}`);

    const before = teams.chatWith(alice.aadObjectId).length;
    await surface.publishHome(ws.alice.id);
    expect(teams.chatWith(alice.aadObjectId)).toHaveLength(before);
    expect((await dashboardOf(alice))!.updates).toBe(1);
  });

  it('R26: a user Parley never wrote to gets no unasked-for dashboard', async () => {
    const before = teams.calls.length;
    await surface.publishHome(ws.admin.id);
    expect(teams.calls).toHaveLength(before);
  });

  it('R34: an inactive user’s dashboard is emptied', async () => {
    await showDashboard(ws.bob.id);
    await h.db.em().nativeUpdate(User, { id: ws.bob.id }, { active: false });
    await surface.publishHome(ws.bob.id, { force: true });
    const card = teams.visible((await dashboardOf(bob))!);
    expect(card).toContain(INACTIVE_TEXT.slice(0, 40));
    expect(card).not.toContain(`#${openNumber}`);
    await h.db.em().nativeUpdate(User, { id: ws.bob.id }, { active: true });
  });

  it('R35: tellUnlinked clears the dashboard to what to do, and says it in the chat', async () => {
    await showDashboard(ws.alice.id);
    await surface.tellUnlinked(alice.aadObjectId, 'You are no longer linked to the Parley user Alice.');
    const card = teams.visible((await dashboardOf(alice))!);
    expect(card).toContain('no longer linked');
    expect(card).not.toContain(`#${privateNumber}`);
    expect(teams.chatWith(alice.aadObjectId).at(-1)!.text).toContain('no longer linked');
  });
});

describe('digests (R27)', () => {
  it('R27: the digest is a new post in the group’s Teams channel, without restricted conversations (R17)', async () => {
    await surface.postDigest(ws.group.id);
    const [post] = teams.posts(CHANNEL);
    const shown = teams.visible(post!.root!);
    expect(shown).toContain('Support');
    expect(shown).toContain(`#${openNumber}`);
    expect(shown).not.toContain(`#${privateNumber}`);
  });

  it('R27: a group without a Teams channel gets no digest here', async () => {
    const before = teams.calls.length;
    await surface.postDigest(ws.otherGroup.id);
    expect(teams.calls).toHaveLength(before);
  });
});
