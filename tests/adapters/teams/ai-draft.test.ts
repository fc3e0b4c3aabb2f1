import { beforeAll, describe, expect, it } from 'vitest';
import { CARD_VERBS } from '../../../adapters/surfaces/teams/ports.ts';
import { Conversation, Group, Message, User } from '../../../src/db/entities/index.ts';
import { inTransaction } from '../../../src/use-cases/context.ts';
import { loadConversationLocked } from '../../../src/use-cases/load.ts';
import { appendMessage, messageCreated } from '../../../src/use-cases/timeline.ts';
import { inbound } from '../../adapters/whatsapp/payloads.ts';
import type { TeamsActivity, TeamsUser } from '../../support/fake-teams.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { settled } from '../../support/settled.ts';
import { eventually, slackHarness } from '../../support/slack-app.ts';
import { actionsOf, buttonTitled, teamsPeople } from '../../support/teams-people.ts';
import { createTestDb } from '../../support/test-db.ts';

/**
 * R36, draft mode on Teams: the AI agent's proposed answer is a card in the conversation's post
 * with Send, Edit… and Discard…; pressed, through the signed activity Teams sends (the SDK's token
 * check, real workers, the Bot Connector and Graph fakes), it goes to the customer once as the
 * person's reply, and the card is redrawn without buttons.
 */
const db = await createTestDb();
const h = slackHarness(db, { teams: true, slack: false });
const TEAM = 'b6f0c2d4-1b2e-4c3d-8e9f-0a1b2c3d4e5f';
const CHANNEL = '19:support0drafts@thread.tacv2';
const people = teamsPeople(h.teams, { team: TEAM, channel: CHANNEL });
let ws: Workspace;
let alice: TeamsUser;
let bob: TeamsUser;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  alice = h.teams.addUser({ name: 'Alice', email: 'alice@acme.test' });
  bob = h.teams.addUser({ name: 'Bob', email: 'bob@acme.test' });
  await db.em().nativeUpdate(
    Group,
    { id: ws.group.id },
    {
      slackChannelId: null,
      teamsTeamId: TEAM,
      teamsChannelId: CHANNEL,
      aiAgent: { enabled: false, name: 'Ava', mode: 'draft' },
    },
  );
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { teamsUserId: alice.aadObjectId });
  await db.em().nativeUpdate(User, { id: ws.bob.id }, { teamsUserId: bob.aadObjectId });
});

let customer = 15550400000;
async function newPost(text: string) {
  const waId = String(++customer);
  await h.whatsappWebhook(inbound({ waId, name: `Customer ${waId}` }, 'text', { body: text }));
  const post = await eventually(() =>
    h.teams.posts(CHANNEL).find((p) => p.replies.some((r) => h.teams.visible(r).includes(text))),
  );
  await settled(h.services);
  const conv = await db.em().findOneOrFail(Conversation, { contact: { name: `Customer ${waId}` } });
  return { post, conv, waId };
}

async function aiDrafts(conversationId: string, text: string): Promise<string> {
  const { id } = await inTransaction(h.services.context(), async (tx, record, now) => {
    const conv = await loadConversationLocked(tx, conversationId);
    const draft = await appendMessage(tx, conv, { kind: 'ai_draft', text, meta: { ai: true }, now });
    draft.draftState = 'pending';
    record(messageCreated(conv, draft));
    return { id: draft.id };
  });
  return id;
}

const draftCard = (threadId: string, draftId: string) =>
  h.teams
    .post(threadId)
    ?.replies.find((r) => JSON.stringify(r.attachments ?? []).includes(`parley-items:${draftId}`));
const sentTexts = () => h.graph.sent.map((s) => s.body.text?.body as string | undefined);

interface InvokeBody {
  statusCode?: number;
  type?: string;
  value?: unknown;
  task?: { type: string; value: unknown };
}

describe('AI drafts in a Teams post (R36)', { timeout: 30_000 }, () => {
  it('R36: Send on the draft card delivers it once as the person’s reply; the card then says who sent it, without buttons', async () => {
    const { post, conv, waId } = await newPost('Do you deliver on Sundays?');
    const draftId = await aiDrafts(conv.id, 'No, we deliver Monday to Saturday.');
    const card = await eventually(() => draftCard(post.threadId, draftId));
    expect(h.teams.visible(card)).toContain('not sent yet');
    expect(actionsOf(card.attachments).map((a) => a.title)).toEqual(['Send', 'Edit…', 'Discard…', 'Discard']);
    await settled(h.services);
    expect(sentTexts()).not.toContain('No, we deliver Monday to Saturday.');

    const send = buttonTitled(card.attachments, /^Send$/);
    const res = await h.teamsActivity(
      people.pressesButton(alice, { threadId: post.threadId }, send.verb!, send.data),
    );
    expect(res.status).toBe(200);
    // Alice's card is replaced at once by the decided one.
    const answer = (await res.json()) as InvokeBody;
    expect(answer.statusCode).toBe(200);
    expect(JSON.stringify(answer.value)).toContain('Sent by Alice');
    expect(actionsOf(answer.value)).toEqual([]);

    await eventually(() => sentTexts().includes('No, we deliver Monday to Saturday.'));
    await eventually(() => h.teams.visible(draftCard(post.threadId, draftId)!).includes('Sent by Alice'));
    await settled(h.services);
    const sent = h.graph.sent.filter((s) => s.body.text?.body === 'No, we deliver Monday to Saturday.');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.to).toBe(waId);
    // Everyone sees the card redrawn without buttons, and the reply as Alice's.
    const redrawn = draftCard(post.threadId, draftId)! as TeamsActivity;
    expect(actionsOf(redrawn.attachments)).toEqual([]);
    const replies = await db
      .em()
      .find(Message, { conversation: conv.id, kind: 'reply' }, { populate: ['author'] });
    expect(replies.map((r) => [r.text, r.author?.name])).toEqual([
      ['No, we deliver Monday to Saturday.', 'Alice'],
    ]);
    await eventually(() =>
      h.teams
        .post(post.threadId)!
        .replies.some((r) => JSON.stringify(r.attachments ?? []).includes(`parley-items:${replies[0]!.id}`)),
    );

    // Bob presses Send on his stale card: he alone is told, and nothing more goes out.
    const again = await h.teamsActivity(
      people.pressesButton(bob, { threadId: post.threadId }, send.verb!, send.data),
    );
    const refusal = (await again.json()) as InvokeBody;
    expect(refusal.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(refusal.value)).toContain('already sent by Alice');
    await settled(h.services);
    expect(
      h.graph.sent.filter((s) => s.body.text?.body === 'No, we deliver Monday to Saturday.'),
    ).toHaveLength(1);
  });

  it('R36: Edit… opens a dialog with the draft’s text; its submission sends the edited text only', async () => {
    const { post, conv } = await newPost('How long is the warranty?');
    const draftId = await aiDrafts(conv.id, 'The warranty is one year.');
    const card = await eventually(() => draftCard(post.threadId, draftId));
    const where = { threadId: post.threadId };
    const edit = buttonTitled(card.attachments, /^Edit/);
    const fetched = await h.teamsActivity(people.dialog(alice, where, 'task/fetch', edit.data));
    const dialog = ((await fetched.json()) as InvokeBody).task!;
    expect(dialog.type).toBe('continue');
    const dialogCard = (dialog.value as { card: { content: unknown } }).card.content;
    expect(JSON.stringify(dialogCard)).toContain('The warranty is one year.');
    const submit = actionsOf(dialogCard).find((a) => a.type === 'Action.Submit')!;
    const saved = await h.teamsActivity(
      people.dialog(alice, where, 'task/submit', {
        ...submit.data,
        text: 'The warranty is two years in the EU.',
      }),
    );
    expect(saved.status).toBe(200);
    await eventually(() =>
      h.teams.visible(draftCard(post.threadId, draftId)!).includes('Sent by Alice after editing'),
    );
    await settled(h.services);
    expect(sentTexts()).toContain('The warranty is two years in the EU.');
    expect(sentTexts()).not.toContain('The warranty is one year.');

    // Opened again once decided, the dialog says so instead.
    const late = await h.teamsActivity(people.dialog(bob, where, 'task/fetch', edit.data));
    expect(((await late.json()) as InvokeBody).task).toMatchObject({ type: 'message' });
  });

  it('R36: Discard sends nothing and the card says who discarded it', async () => {
    const { post, conv } = await newPost('Any discounts today?');
    const draftId = await aiDrafts(conv.id, 'Yes, 10% off everything.');
    const card = await eventually(() => draftCard(post.threadId, draftId));
    const discard = actionsOf(card.attachments).find((a) => a.verb === CARD_VERBS.aiDraftDiscard)!;
    const res = await h.teamsActivity(
      people.pressesButton(alice, { threadId: post.threadId }, discard.verb!, discard.data),
    );
    expect(JSON.stringify(((await res.json()) as InvokeBody).value)).toContain('Discarded by Alice');
    await eventually(() =>
      h.teams.visible(draftCard(post.threadId, draftId)!).includes('Discarded by Alice'),
    );
    await settled(h.services);
    expect(sentTexts()).not.toContain('Yes, 10% off everything.');
    expect((await db.em().findOneOrFail(Message, draftId)).draftState).toBe('discarded');
  });
});
