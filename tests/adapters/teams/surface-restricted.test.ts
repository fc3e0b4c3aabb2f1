import type { EntityManager } from '@mikro-orm/postgresql';
import { beforeAll, describe, expect, it } from 'vitest';
import { STUB_TEXT } from '../../../adapters/surfaces/teams/cards/stub-card.ts';
import { installFix } from '../../../adapters/surfaces/teams/teams.surface.ts';
import { Conversation, Message, SurfaceThread, TeamsPostedActivity } from '../../../src/db/entities/index.ts';
import { mirrorConversation } from '../../../src/use-cases/mirror-conversation.ts';
import { conversationWithQueuedReply } from '../../support/conversations.ts';
import type { TeamsUser } from '../../support/fake-teams.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { teamsSurfaceHarness } from './surface-harness.ts';

const h = await teamsSurfaceHarness();
const { teams } = h;
const CHANNEL = '19:support0channel@thread.tacv2';
let ws: Workspace;
let alice: TeamsUser;
let bob: TeamsUser;
let ada: TeamsUser;

beforeAll(async () => {
  const em = h.db.em();
  ws = await seedWorkspace(em);
  alice = teams.addUser({ name: 'Alice', email: 'alice@acme.test' });
  bob = teams.addUser({ name: 'Bob', email: 'bob@acme.test', installed: false });
  ada = teams.addUser({ name: 'Ada', email: 'ada@acme.test' });
  Object.assign(em.merge(ws.group), { teamsTeamId: h.TEAM, teamsChannelId: CHANNEL });
  em.merge(ws.alice).teamsUserId = alice.aadObjectId;
  em.merge(ws.bob).teamsUserId = bob.aadObjectId;
  em.merge(ws.admin).teamsUserId = ada.aadObjectId;
  await em.flush();
});

const update = (id: string, change: (c: Conversation, tx: EntityManager) => Promise<void> | void) =>
  h.db
    .em()
    .transactional(async (tx) => change(await tx.findOneOrFail(Conversation, id), tx as EntityManager));
const channelText = () => teams.readableBy('nobody', [CHANNEL]);

describe('restricted conversations in Teams (R31, R24)', () => {
  it('R31: the channel post becomes a content-free stub (root redrawn, replies deleted); the listed user works on it in their personal chat; lifting restores the post', async () => {
    const { conv } = await conversationWithQueuedReply(h.db.em(), ws, 'secret-canary-4417');
    await h.mirror(conv.id);
    expect(channelText()).toContain('secret-canary-4417');

    await update(conv.id, (c) => {
      c.visibleToIds = [ws.alice.id];
    });
    await h.mirror(conv.id);
    const [stubbed] = teams.posts(CHANNEL).filter((p) => p.root && teams.visible(p.root).includes(STUB_TEXT));
    expect(stubbed!.replies).toEqual([]);
    expect(teams.visible(stubbed!.root!)).not.toContain(String(conv.number));
    expect(channelText()).not.toContain('secret-canary-4417');
    expect(channelText()).not.toContain('Dana Customer');
    const chat = teams.chatWith(alice.aadObjectId);
    expect(teams.visible(chat[0]!)).toContain(`#${conv.number}`);
    expect(chat.map(teams.visible).join('\n')).toContain('secret-canary-4417');

    await update(conv.id, (c) => {
      c.visibleToIds = null;
    });
    await h.mirror(conv.id);
    expect(teams.posts(CHANNEL).filter((p) => p.root?.id === stubbed!.root?.id)).toEqual([]);
    expect(channelText()).toContain('secret-canary-4417');
    expect(teams.chatWith(alice.aadObjectId).map(teams.visible).join('\n')).not.toContain(
      'secret-canary-4417',
    );
  });

  it('R31: where the app is not installed for a listed user, admins are told how to fix it and nothing falls back to the channel', async () => {
    const { conv } = await conversationWithQueuedReply(h.db.em(), ws, 'bob-only-canary');
    await h.mirror(conv.id);
    await update(conv.id, (c) => {
      c.visibleToIds = [ws.bob.id];
    });
    const surfaces = new Map([['teams', h.surface]]);
    const outcome = await mirrorConversation({ em: h.db.em(), surfaces, countRedrawMs: 0 }, conv.id);
    expect(outcome).toEqual({ outcome: 'retry', retryAfterMs: 300_000 });
    expect(h.setupErrors.at(-1)).toEqual({ what: 'a personal chat with Bob', fix: installFix('Bob') });
    expect(installFix('Bob')).toMatch(/Install the Parley app for Bob/);
    // The account's admin is told in her chat with the app, once however often the run retries.
    const toldAda = () =>
      teams
        .chatWith(ada.aadObjectId)
        .map(teams.visible)
        .filter((t) => t.includes('Install the Parley app for Bob'));
    expect(toldAda()).toHaveLength(1);
    h.clock.now += 300_000;
    expect((await mirrorConversation({ em: h.db.em(), surfaces, countRedrawMs: 0 }, conv.id)).outcome).toBe(
      'retry',
    );
    expect(toldAda()).toHaveLength(1);
    expect(toldAda()[0]).not.toContain('bob-only-canary');
    expect(channelText()).not.toContain('bob-only-canary');
    expect(teams.chatWith(bob.aadObjectId)).toEqual([]);

    // Installed: the next run opens the conversation in Bob's chat.
    teams.install(bob.aadObjectId);
    h.clock.now += 300_000;
    await h.mirror(conv.id);
    expect(teams.chatWith(bob.aadObjectId).map(teams.visible).join('\n')).toContain('bob-only-canary');
    expect(channelText()).not.toContain('bob-only-canary');
  });

  it('R31: a listed user whose chat cannot be opened yet does not hold up the others on the list', async () => {
    teams.uninstall(bob.aadObjectId);
    const { conv } = await conversationWithQueuedReply(h.db.em(), ws, 'two-listed-canary');
    await update(conv.id, (c) => {
      c.visibleToIds = [ws.alice.id, ws.bob.id];
    });
    const surfaces = new Map([['teams', h.surface]]);
    const outcome = await mirrorConversation({ em: h.db.em(), surfaces, countRedrawMs: 0 }, conv.id);
    expect(outcome.outcome).toBe('retry');
    expect(teams.chatWith(alice.aadObjectId).map(teams.visible).join('\n')).toContain('two-listed-canary');
    expect(teams.chatWith(bob.aadObjectId).map(teams.visible).join('\n')).not.toContain('two-listed-canary');
    expect(channelText()).not.toContain('two-listed-canary');
  });

  it('R24: a deleted conversation leaves nothing in Teams: the channel post and the personal chat posts are deleted', async () => {
    const { conv } = await conversationWithQueuedReply(h.db.em(), ws, 'deleted-canary-9');
    await h.mirror(conv.id);
    await update(conv.id, (c) => {
      c.visibleToIds = [ws.alice.id];
    });
    await h.mirror(conv.id);
    await update(conv.id, async (c, tx) => {
      // What deleteConversation does: the messages go (and their SurfacePost rows with them).
      await tx.nativeDelete(Message, { conversation: c.id });
      c.status = 'deleted';
    });
    await h.mirror(conv.id);
    const everywhere = [channelText(), teams.chatWith(alice.aadObjectId).map(teams.visible).join('\n')].join(
      '\n',
    );
    expect(everywhere).not.toContain('deleted-canary-9');
    expect(everywhere).not.toContain(`#${conv.number}`);
    const rows = await h.db.em().find(SurfaceThread, { conversation: conv.id });
    expect(rows.every((r) => r.state === 'removed')).toBe(true);
    expect(await h.db.em().count(TeamsPostedActivity, { conversationId: conv.id })).toBe(0);
  });
});
