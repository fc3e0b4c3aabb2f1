import { beforeAll, describe, expect, it } from 'vitest';
import { Group, Message, User } from '../../src/db/entities/index.ts';
import { inbound, status } from '../adapters/whatsapp/payloads.ts';
import type { TeamsUser } from '../support/fake-teams.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { teamsPeople } from '../support/teams-people.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * Issue 10, the same journey as Slack's (slack-whatsapp.test.ts) for a team that lives in Teams:
 * Meta's signed webhook → a post in the group's Teams channel → an agent's plain reply in that
 * post's thread (a signed activity, through the SDK's token check) → the Graph send → the
 * delivery state shown under the agent's message. Teams only: Slack is off.
 */
const db = await createTestDb();
const h = slackHarness(db, { teams: true, slack: false });
const TEAM = 'a5f0c2d4-1b2e-4c3d-8e9f-0a1b2c3d4e5f';
const CHANNEL = '19:support0teams@thread.tacv2';
const people = teamsPeople(h.teams, { team: TEAM, channel: CHANNEL });
let ws: Workspace;
let alice: TeamsUser;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  alice = h.teams.addUser({ name: 'Alice', email: 'alice@acme.test' });
  await db
    .em()
    .nativeUpdate(
      Group,
      { id: ws.group.id },
      { slackChannelId: null, teamsTeamId: TEAM, teamsChannelId: CHANNEL },
    );
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { teamsUserId: alice.aadObjectId });
});

describe('from a WhatsApp message to a Teams post and back', () => {
  it('R28, R29: the customer message lands in its channel post, the agent answers in the thread, the customer gets it, and the delivery shows in Teams', async () => {
    const res = await h.whatsappWebhook(
      inbound({ waId: '15550101010', name: 'Dana **bold** <at>x</at>' }, 'text', {
        body: 'Where is my parcel?',
      }),
    );
    expect(res.status).toBe(200);

    // A post in the group's channel (the header card), then the customer's message as a reply.
    const post = await eventually(() =>
      h.teams
        .posts(CHANNEL)
        .find((p) => p.replies.some((r) => h.teams.visible(r).includes('Where is my parcel?'))),
    );
    expect(h.teams.visible(post.root!)).toContain('Dana');
    // The customer's name is shown as text: no markdown, no mention.
    expect(JSON.stringify(post.root!.attachments)).not.toMatch(/"type":"mention"/);

    // Alice answers in the thread, as she would in Teams (no @mention: the app reads the channel).
    const { activity, written } = people.writesInThread(
      alice,
      post.threadId,
      'It ships today &amp; arrives Friday',
    );
    expect((await h.teamsActivity(activity)).status).toBe(200);
    // Teams delivers the same activity again (its retry when an answer is slow): still one reply.
    expect((await h.teamsActivity(activity)).status).toBe(200);

    // The customer gets it on WhatsApp, as plain text, exactly once.
    await eventually(() => h.graph.sent.length > 0);
    await settled(h.services);
    expect(h.graph.sent).toHaveLength(1);
    const sent = h.graph.sent[0]!;
    expect(sent.body).toMatchObject({
      messaging_product: 'whatsapp',
      to: '15550101010',
      type: 'text',
      text: { body: 'It ships today & arrives Friday' },
    });

    // WhatsApp says it was delivered: the state shows under Alice's own message.
    const statusRes = await h.whatsappWebhook(
      status(sent.wamid, 'delivered', {
        recipient: '15550101010',
        callback: sent.body.biz_opaque_callback_data,
      }),
    );
    expect(statusRes.status).toBe(200);
    const stateCard = () =>
      h.teams.post(post.threadId)!.replies.find((r) => r.byBot && r.id !== post.replies[0]!.id);
    await eventually(() => stateCard() && h.teams.visible(stateCard()!).includes('Delivered'));
    await settled(h.services);

    // Everything settled: one post, the customer's message, Alice's reply and its state once each.
    expect(h.teams.posts(CHANNEL)).toHaveLength(1);
    const replies = h.teams.post(post.threadId)!.replies;
    expect(replies.map((r) => (r.byBot ? 'app' : r.from.aadObjectId))).toEqual([
      'app',
      alice.aadObjectId,
      'app',
    ]);
    expect(h.teams.visible(replies[0]!)).toContain('Where is my parcel?');
    expect(replies[1]!.id).toBe(written.id);
    expect(h.teams.visible(replies[2]!)).toContain('Delivered');
    expect(h.graph.received).toHaveLength(1);
    const stored = await db.em().find(Message, { kind: 'reply' });
    expect(stored.map((m) => [m.text, m.deliveryState, m.providerMessageId])).toEqual([
      ['It ships today & arrives Friday', 'delivered', sent.wamid],
    ]);
  });
});
