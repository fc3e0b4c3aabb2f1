import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation, Group, Message, User } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { inTransaction } from '../../../src/use-cases/context.ts';
import { loadConversationLocked } from '../../../src/use-cases/load.ts';
import { restrictVisibility } from '../../../src/use-cases/restrict-visibility.ts';
import { appendMessage, messageCreated } from '../../../src/use-cases/timeline.ts';
import { inbound } from '../../adapters/whatsapp/payloads.ts';
import type { SlackPost } from '../../support/fake-slack.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { settled } from '../../support/settled.ts';
import { buttonsOf, eventually, slackHarness } from '../../support/slack-app.ts';
import { createTestDb } from '../../support/test-db.ts';

/**
 * R36, draft mode on Slack: the AI agent's proposed answer is a post in the conversation's thread
 * with Send, Edit… and Discard; nothing reaches the customer until a person sends it, and then it
 * is that person's reply. Real Bolt, real workers, the Slack and Graph (WhatsApp) fakes.
 */
const db = await createTestDb();
const h = slackHarness(db);
let ws: Workspace;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
  await db.em().nativeUpdate(User, { id: ws.bob.id }, { slackUserId: 'U_BOB' });
  // The agent's name, in draft mode; not enabled, so no model is asked anything in these tests.
  await db
    .em()
    .nativeUpdate(Group, { id: ws.group.id }, { aiAgent: { enabled: false, name: 'Ava', mode: 'draft' } });
});

let customer = 15550300000;
/** A customer writes on WhatsApp; resolves once the conversation's thread is in Slack and settled. */
async function newThread(text: string) {
  const waId = String(++customer);
  await h.whatsappWebhook(inbound({ waId, name: `Customer ${waId}` }, 'text', { body: text }));
  const header = await eventually(() =>
    h.slack.posts.find(
      (p) =>
        p.channel === 'C_SUPPORT' &&
        !p.thread_ts &&
        h.slack.threadOf('C_SUPPORT', p.ts).some((r) => r.text.includes(text)),
    ),
  );
  await settled(h.services);
  const conv = await db
    .em()
    .findOneOrFail(
      Conversation,
      { contact: { name: `Customer ${waId}` } },
      { orderBy: { createdAt: 'desc' } },
    );
  return { header, waId, conv };
}

/** The AI agent's draft, as the engine records it (a pending `ai_draft`), then mirrored. */
async function aiDrafts(conversationId: string, text: string): Promise<string> {
  const ctx = h.services.context();
  const { id } = await inTransaction(ctx, async (tx, record, now) => {
    const conv = await loadConversationLocked(tx, conversationId);
    const draft = await appendMessage(tx, conv, { kind: 'ai_draft', text, meta: { ai: true }, now });
    draft.draftState = 'pending';
    record(messageCreated(conv, draft));
    return { id: draft.id };
  });
  return id;
}

const postOf = (messageId: string) =>
  h.slack.posts.find((p) => {
    const ids = p.metadata?.event_payload?.message_ids;
    return Array.isArray(ids) && ids.includes(messageId);
  });
/** The post as it looks now, copied: a later redraw does not change the copy (a stale screen). */
const snapshot = (p: SlackPost): SlackPost => structuredClone(p);
const shown = (p: SlackPost) => h.slack.visible(p);
const sentTexts = () => h.graph.sent.map((s) => s.body.text?.body as string | undefined);

describe('AI drafts in a Slack thread (R36)', { timeout: 30_000 }, () => {
  it('R36: a draft shows as not sent, with Send, Edit… and Discard; Send delivers it once as the user’s reply and the draft says who sent it', async () => {
    const { header, waId, conv } = await newThread('Do you ship to Norway?');
    const draftId = await aiDrafts(conv.id, 'Yes, we ship to Norway within 5 days.');
    const post = await eventually(() => postOf(draftId));
    expect(post.thread_ts).toBe(header.ts);
    expect(post.username).toBe('Ava');
    expect(shown(post)).toContain('AI draft');
    expect(shown(post)).toContain('not sent yet');
    expect(shown(post)).toContain('Yes, we ship to Norway within 5 days.');
    expect(buttonsOf(post).map((b) => [b.action_id, b.value])).toEqual([
      ['parley_ai_draft_send', draftId],
      ['parley_ai_draft_edit', draftId],
      ['parley_ai_draft_discard', draftId],
    ]);
    // Discard asks first.
    const discard = buttonsOf(post)[2] as { confirm?: { confirm?: { text: string } } };
    expect(discard.confirm?.confirm?.text).toBe('Discard');
    await settled(h.services);
    // Nothing reached the customer yet.
    expect(sentTexts()).not.toContain('Yes, we ship to Norway within 5 days.');

    const before = snapshot(post);
    expect((await h.pressButton('U_ALICE', before, 'parley_ai_draft_send')).status).toBe(200);
    await eventually(() => sentTexts().includes('Yes, we ship to Norway within 5 days.'));
    await eventually(() => shown(postOf(draftId)!).includes('Sent by Alice'));
    await settled(h.services);

    // Exactly one WhatsApp message, to this customer, with the draft's text.
    const sent = h.graph.sent.filter((s) => s.body.text?.body === 'Yes, we ship to Norway within 5 days.');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.to).toBe(waId);
    // The reply is Alice's, and is in the thread as her reply.
    const replies = await db
      .em()
      .find(Message, { conversation: conv.id, kind: 'reply' }, { populate: ['author'] });
    expect(replies.map((r) => [r.text, r.author?.name])).toEqual([
      ['Yes, we ship to Norway within 5 days.', 'Alice'],
    ]);
    const replyPost = await eventually(() => postOf(replies[0]!.id));
    expect(replyPost.thread_ts).toBe(header.ts);
    expect(shown(replyPost)).toContain('Reply by Alice');
    // The draft is redrawn: who sent it, no buttons.
    const after = postOf(draftId)!;
    expect(shown(after)).not.toContain('after editing');
    expect(shown(after)).not.toContain('not sent yet');
    expect(buttonsOf(after)).toEqual([]);
    const stored = await db.em().findOneOrFail(Message, draftId);
    expect(stored.draftState).toBe('sent');

    // A second click on the stale post: Bob is told it was already sent, and nothing more goes out.
    await h.pressButton('U_BOB', before, 'parley_ai_draft_send');
    await settled(h.services);
    const told = h.slack.ephemerals.filter((e) => e.user === 'U_BOB').at(-1);
    expect(told?.text).toContain('already sent by Alice');
    expect(told?.thread_ts).toBe(header.ts);
    expect(
      h.graph.sent.filter((s) => s.body.text?.body === 'Yes, we ship to Norway within 5 days.'),
    ).toHaveLength(1);
  });

  it('R36: Edit… opens a modal with the draft’s text; submitting sends the edited text only', async () => {
    const { conv } = await newThread('What is the return window?');
    const draftId = await aiDrafts(conv.id, 'You have 14 days to return an item.');
    const post = await eventually(() => postOf(draftId));
    await h.pressButton('U_ALICE', post, 'parley_ai_draft_edit');
    const modal = await eventually(() =>
      h.slack.modals.find((m) => (m.view as { private_metadata?: string }).private_metadata === draftId),
    );
    const view = modal.view as {
      callback_id: string;
      blocks: { block_id?: string; element?: { initial_value?: string } }[];
    };
    expect(view.callback_id).toBe('parley_ai_draft_edit');
    expect(view.blocks.find((b) => b.block_id === 'draft')?.element?.initial_value).toBe(
      'You have 14 days to return an item.',
    );

    const res = await h.submitModal('U_ALICE', modal.view, {
      draft: {
        text: { type: 'plain_text_input', value: 'You have 30 days to return an item, free of charge.' },
      },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    await eventually(() => shown(postOf(draftId)!).includes('Sent by Alice after editing'));
    await settled(h.services);
    expect(sentTexts()).toContain('You have 30 days to return an item, free of charge.');
    expect(sentTexts()).not.toContain('You have 14 days to return an item.');
    expect(buttonsOf(postOf(draftId)!)).toEqual([]);
  });

  it('R36: an edit left empty is refused in the modal, and nothing is sent', async () => {
    const { conv } = await newThread('Can I change my address?');
    const draftId = await aiDrafts(conv.id, 'Yes, reply with the new address.');
    const post = await eventually(() => postOf(draftId));
    await h.pressButton('U_ALICE', post, 'parley_ai_draft_edit');
    const modal = await eventually(() =>
      h.slack.modals.find((m) => (m.view as { private_metadata?: string }).private_metadata === draftId),
    );
    const res = await h.submitModal('U_ALICE', modal.view, {
      draft: { text: { type: 'plain_text_input', value: '   ' } },
    });
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors.draft).toContain('empty');
    await settled(h.services);
    expect((await db.em().findOneOrFail(Message, draftId)).draftState).toBe('pending');
    expect(buttonsOf(postOf(draftId)!)).toHaveLength(3);
  });

  it('R36: Discard sends nothing and the draft says who discarded it', async () => {
    const { conv } = await newThread('Is the blue one in stock?');
    const draftId = await aiDrafts(conv.id, 'The blue one is back next week.');
    const post = await eventually(() => postOf(draftId));
    const before = snapshot(post);
    await h.pressButton('U_ALICE', before, 'parley_ai_draft_discard');
    await eventually(() => shown(postOf(draftId)!).includes('Discarded by Alice'));
    await settled(h.services);
    expect(sentTexts()).not.toContain('The blue one is back next week.');
    expect(await db.em().count(Message, { conversation: conv.id, kind: 'reply' })).toBe(0);
    expect(buttonsOf(postOf(draftId)!)).toEqual([]);

    // Sending it afterwards is refused with who discarded it.
    await h.pressButton('U_BOB', before, 'parley_ai_draft_send');
    await settled(h.services);
    expect(h.slack.ephemerals.filter((e) => e.user === 'U_BOB').at(-1)?.text).toContain('discarded by Alice');
    expect(sentTexts()).not.toContain('The blue one is back next week.');
  });

  it('R17: a user who may not see a restricted conversation cannot send its draft', async () => {
    const { conv } = await newThread('Private matter, please');
    await restrictVisibility(h.services.context(), userActor(ws.alice.id), {
      conversationId: conv.id,
      visibleToIds: [ws.alice.id],
    });
    const draftId = await aiDrafts(conv.id, 'Secret answer for the customer.');
    // The draft is in Alice's direct messages with the app, not in the shared channel.
    const post = await eventually(() => postOf(draftId));
    expect(post.channel).toBe('D_U_ALICE');
    // Bob presses Send on it anyway (a forged click): refused, nothing sent.
    await h.pressButton('U_BOB', snapshot(post), 'parley_ai_draft_send');
    await settled(h.services);
    expect(h.slack.ephemerals.filter((e) => e.user === 'U_BOB').at(-1)?.text).toContain('restricted');
    expect(sentTexts()).not.toContain('Secret answer for the customer.');
    expect((await db.em().findOneOrFail(Message, draftId)).draftState).toBe('pending');
    expect(h.slack.readableBy('U_BOB', ['C_SUPPORT'])).not.toContain('Secret answer');
  });

  it('R36: a closed conversation’s draft is not sent (the clicker is told why), and can still be discarded', async () => {
    const { conv } = await newThread('Thanks, all good');
    const draftId = await aiDrafts(conv.id, 'Glad to help!');
    const post = await eventually(() => postOf(draftId));
    const before = snapshot(post);
    await db.em().nativeUpdate(Conversation, { id: conv.id }, { status: 'closed' });
    await h.pressButton('U_ALICE', before, 'parley_ai_draft_send');
    await settled(h.services);
    expect(h.slack.ephemerals.filter((e) => e.user === 'U_ALICE').at(-1)?.text).toContain('is closed');
    expect(sentTexts()).not.toContain('Glad to help!');
    // Its buttons need not stay forever: Discard clears it.
    await h.pressButton('U_ALICE', before, 'parley_ai_draft_discard');
    await eventually(() => shown(postOf(draftId)!).includes('Discarded by Alice'));
    await settled(h.services);
    expect(buttonsOf(postOf(draftId)!)).toEqual([]);
    expect(sentTexts()).not.toContain('Glad to help!');
  });
});
