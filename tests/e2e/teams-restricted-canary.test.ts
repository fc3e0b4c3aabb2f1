import { beforeAll, describe, expect, it } from 'vitest';
import { CARD_VERBS } from '../../adapters/surfaces/teams/ports.ts';
import { Conversation, Group, User } from '../../src/db/entities/index.ts';
import { enqueue } from '../../src/jobs/queues.ts';
import { inbound } from '../adapters/whatsapp/payloads.ts';
import type { TeamsActivity, TeamsUser } from '../support/fake-teams.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { actionsOf, buttonTitled, teamsPeople } from '../support/teams-people.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * R31/R17 for a workspace with both Slack and Teams linked (issue 10): Alice restricts a
 * conversation with the Visibility… dialog on its Teams card and lifts it from the card in her
 * chat with the app; Bob reads everything Teams and Slack show him — channel posts and threads,
 * his chat with the app (dashboard, command answers), App Home, the digests of both — at each step.
 */
const db = await createTestDb();
const h = slackHarness(db, { teams: true });
const TEAM = 'b6a1d3e5-2c3f-4d4e-9fa0-1b2c3d4e5f60';
const CHANNEL = '19:support0canary@thread.tacv2';
const people = teamsPeople(h.teams, { team: TEAM, channel: CHANNEL });
const CANARY = 'CANARY-7f3a9 my card number';
const LATER = 'CANARY-later-b81c';
let ws: Workspace;
let alice: TeamsUser;
let bob: TeamsUser;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  alice = h.teams.addUser({ name: 'Alice', email: 'alice@acme.test' });
  bob = h.teams.addUser({ name: 'Bob', email: 'bob@acme.test' });
  await db.em().nativeUpdate(Group, { id: ws.group.id }, { teamsTeamId: TEAM, teamsChannelId: CHANNEL });
  await db
    .em()
    .nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE', teamsUserId: alice.aadObjectId });
  await db.em().nativeUpdate(User, { id: ws.bob.id }, { slackUserId: 'U_BOB', teamsUserId: bob.aadObjectId });
});

const teamsChannel = () => h.teams.readableBy('nobody', [CHANNEL]);
const aliceTeamsChat = () => h.teams.chatWith(alice.aadObjectId).map(h.teams.visible).join('\n');
/** The item posts (cards marked `parley-items:`) among activities that show `mark`. */
const itemPosts = (activities: TeamsActivity[], mark: string) =>
  activities.filter((a) => h.teams.visible(a).includes(mark) && h.teams.visible(a).includes('parley-items:'));
const channelActivities = () =>
  h.teams.posts(CHANNEL).flatMap((p) => [...(p.root ? [p.root] : []), ...p.replies]);
const slackChannel = () => h.slack.readableBy('U_NOBODY', ['C_SUPPORT']);
const aliceSlackDm = () =>
  h.slack.posts
    .filter((p) => p.channel === 'D_U_ALICE')
    .map((p) => h.slack.visible(p))
    .join('\n');

/**
 * Everything Bob can read in Teams and Slack, after asking Parley in both and, with `digests`,
 * after both surfaces posted the group's digest (a digest is a point in time: one posted while
 * the conversation was open names it, as it should).
 */
const bobHasSeen = new Map<string, number>();
async function bobSees(opts: { digests: boolean }): Promise<string> {
  const chat = h.teams.userOpensChat(bob.aadObjectId);
  for (const text of ['search card', 'inbox team', 'inbox mine', 'dashboard', 'search number'])
    expect((await h.teamsActivity(people.writesToApp(bob, chat, text))).status).toBe(200);
  const slackAnswers: string[] = [];
  for (const text of ['search card', 'inbox team', 'dashboard']) {
    const res = await h.command('U_BOB', text);
    expect(res.status).toBe(200);
    slackAnswers.push(await res.text());
  }
  // The digest job, as the group's schedule makes it: every surface posts the group's digest.
  if (opts.digests) await enqueue(h.services.queues, 'digest', { groupId: ws.group.id });
  h.slack.homes.delete('U_BOB');
  await h.event({ type: 'app_home_opened', user: 'U_BOB', tab: 'home', channel: 'D_U_BOB' });
  await eventually(() => h.slack.homes.has('U_BOB'));
  await settled(h.services);
  // Answers Parley gave him earlier stay in his chat's history (as in any chat): what counts is
  // what is new or redrawn since the last look.
  const fresh = h.teams
    .chatWith(bob.aadObjectId)
    .filter((a) => a.byBot && bobHasSeen.get(a.id) !== a.updates);
  for (const a of h.teams.chatWith(bob.aadObjectId)) bobHasSeen.set(a.id, a.updates);
  return [
    h.teams.readableBy('nobody', [CHANNEL]),
    ...fresh.map(h.teams.visible),
    h.slack.readableBy('U_BOB', ['C_SUPPORT']),
    ...slackAnswers,
  ].join('\n');
}

/** Alice opens the Visibility… dialog from a card and saves it with these inputs. */
async function visibilityDialog(
  where: { threadId: string } | { chatId: string },
  card: unknown,
  inputs: Record<string, string>,
) {
  const open = buttonTitled(card, /^Visibility/);
  const fetched = await h.teamsActivity(people.dialog(alice, where, 'task/fetch', open.data));
  expect(fetched.status).toBe(200);
  const dialog = ((await fetched.json()) as { task: { type: string; value: { card: unknown } } }).task;
  expect(dialog.type).toBe('continue');
  const submit = actionsOf(dialog.value.card).find((a) => a.type === 'Action.Submit')!;
  expect(submit.data.verb).toBe(CARD_VERBS.visibility);
  const saved = await h.teamsActivity(
    people.dialog(alice, where, 'task/submit', { ...submit.data, ...inputs }),
  );
  expect(saved.status).toBe(200);
}

describe('a restricted conversation in a workspace with Slack and Teams (R31, R17)', () => {
  it('R31: restricted from its Teams card, its text reaches no one outside its list on any Teams or Slack surface; lifted from Alice’s chat with the app, both channels show it again', {
    timeout: 90_000,
  }, async () => {
    await h.whatsappWebhook(inbound({ waId: '15550300001', name: 'Erin' }, 'text', { body: CANARY }));
    const post = await eventually(() =>
      h.teams.posts(CHANNEL).find((p) => p.replies.some((r) => h.teams.visible(r).includes('7f3a9'))),
    );
    await eventually(() => slackChannel().includes('7f3a9'));
    await settled(h.services);
    const conv = await db
      .em()
      .findOneOrFail(Conversation, { number: { $gt: 0 } }, { orderBy: { number: 'desc' } });
    // Before the restriction Bob reads it everywhere: what he cannot read later is not missing by accident.
    const before = await bobSees({ digests: false });
    expect(before.match(/7f3a9/g)!.length).toBeGreaterThanOrEqual(2);
    expect(before).toContain(`#${conv.number}`);

    // Alice restricts it to herself with the Visibility… dialog on the Teams card.
    await visibilityDialog({ threadId: post.threadId }, post.root, { scope: 'list', people: ws.alice.id });
    expect((await db.em().findOneOrFail(Conversation, conv.id)).visibleToIds).toEqual([ws.alice.id]);
    // Both channels keep a content-free stub; Alice gets it in her Teams chat and her Slack DM.
    await eventually(() => aliceTeamsChat().includes('7f3a9') && aliceSlackDm().includes('7f3a9'));
    await settled(h.services);
    expect(teamsChannel()).not.toMatch(/CANARY|Erin/);
    expect(slackChannel()).not.toMatch(/CANARY|Erin/);
    expect(h.teams.post(post.threadId)!.replies).toEqual([]);

    // A new customer message goes to Alice's places only, once each.
    await h.whatsappWebhook(inbound({ waId: '15550300001', name: 'Erin' }, 'text', { body: LATER }));
    await eventually(() => aliceTeamsChat().includes('b81c') && aliceSlackDm().includes('b81c'));
    await settled(h.services);
    expect(itemPosts(h.teams.chatWith(alice.aadObjectId), 'b81c')).toHaveLength(1);
    expect(teamsChannel()).not.toContain('b81c');

    const seen = await bobSees({ digests: true });
    // Bob searched for words of it, never for its unique marks.
    expect(seen).not.toMatch(/7f3a9|b81c|Erin/);
    expect(seen).not.toContain(`#${conv.number}`);
    // Asking for it by number in Teams tells him nothing about it.
    const chat = h.teams.userOpensChat(bob.aadObjectId);
    await h.teamsActivity(people.writesToApp(bob, chat, `close #${conv.number}`));
    await h.teamsActivity(people.writesToApp(bob, chat, `read #${conv.number}`));
    await settled(h.services);
    expect(await bobSees({ digests: false })).not.toMatch(/7f3a9|b81c|Erin/);
    expect((await db.em().findOneOrFail(Conversation, conv.id)).status).toBe('open');

    // Alice lifts it from the card in her chat with the app: everyone in the group.
    const aliceChat = h.teams.userOpensChat(alice.aadObjectId);
    const card = h.teams
      .chatWith(alice.aadObjectId)
      .find(
        (a) =>
          a.byBot &&
          actionsOf(a).some((x) => x.data.conversationId === conv.id && /^Visibility/.test(x.title)),
      );
    expect(card).toBeDefined();
    await visibilityDialog({ chatId: aliceChat }, card, { scope: 'everyone', people: '' });
    expect((await db.em().findOneOrFail(Conversation, conv.id)).visibleToIds).toBeNull();

    // Both channels show the conversation again, everything in it once; Alice's private copies are gone.
    await eventually(() => teamsChannel().includes('b81c') && slackChannel().includes('b81c'));
    await settled(h.services);
    expect(itemPosts(channelActivities(), '7f3a9')).toHaveLength(1);
    expect(itemPosts(channelActivities(), 'b81c')).toHaveLength(1);
    expect(
      h.teams.posts(CHANNEL).filter((p) => p.root && h.teams.visible(p.root).includes('Erin')),
    ).toHaveLength(1);
    // (Her dashboard lists it still, as it lists everything she may see.)
    expect(itemPosts(h.teams.chatWith(alice.aadObjectId), '7f3a9')).toEqual([]);
    expect(itemPosts(h.teams.chatWith(alice.aadObjectId), 'b81c')).toEqual([]);
    const after = await bobSees({ digests: true });
    expect(after).toContain('7f3a9');
    expect(after).toContain('b81c');
    expect(after).toContain(`#${conv.number}`);
  });
});
