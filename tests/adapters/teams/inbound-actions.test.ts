import { beforeAll, describe, expect, it } from 'vitest';
import { loadDashboardFilters } from '../../../adapters/surfaces/teams/inbound/dashboard-filters.ts';
import { CARD_VERBS } from '../../../adapters/surfaces/teams/ports.ts';
import { Conversation, Message, User } from '../../../src/db/entities/index.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { inboundHarness } from './inbound-harness.ts';

/**
 * Issue 10, the conversation card's buttons and dialogs (R30, R31, R33) and the dashboard's
 * (R26, R32): Action.Execute runs at once and answers the person who pressed, alone; dialogs open
 * only for a conversation the person may see and run the same use-cases as Slack's modals.
 */
const db = await createTestDb();
const h = inboundHarness(db);
let ws: Workspace;
const alice = h.teams.addUser({ name: 'Alice Agent', email: 'alice@acme.test' });
const carol = h.teams.addUser({ name: 'Carol Sales', email: 'carol@acme.test' });
const stranger = h.teams.addUser({ name: 'Sam Stranger', email: null });

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { teamsUserId: alice.aadObjectId });
  await db.em().nativeUpdate(User, { id: ws.carol.id }, { teamsUserId: carol.aadObjectId });
});

const execute = (verb: string, data: Record<string, unknown>) => ({
  action: { type: 'Action.Execute', verb, data },
  trigger: 'manual',
});
const dialog = (verb: string, conversationId: string, inputs: Record<string, unknown> = {}) => ({
  data: { verb, conversationId, ...inputs },
  context: { theme: 'default' },
});
/** An invoke's answer: Universal Actions' response, or the task module envelope. */
interface Answer {
  statusCode?: number;
  type?: string;
  value?: unknown;
  task?: { type: string; value: { title?: string; card: { content: unknown } } };
}
const body = async (res: Response) => (await res.json()) as Answer;
const conversation = (id: string) => db.em().findOneOrFail(Conversation, id);
/** All the text of a card, for reading what it shows. */
const textOf = (card: unknown): string => JSON.stringify(card).replace(/\\"/g, '"');

describe('the conversation card’s buttons (Action.Execute)', { timeout: 30_000 }, () => {
  it('R30: Assign to me, Close and Reopen run at once and answer with the redrawn card', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    const assigned = await body(
      await h.invoke(
        alice,
        { threadId },
        'adaptiveCard/action',
        execute(CARD_VERBS.assignMe, { conversationId: conv.id }),
      ),
    );
    expect(assigned).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(textOf(assigned.value)).toContain('Alice');
    expect((await conversation(conv.id)).assigneeIds).toEqual([ws.alice.id]);

    const closed = await body(
      await h.invoke(
        alice,
        { threadId },
        'adaptiveCard/action',
        execute(CARD_VERBS.close, { conversationId: conv.id }),
      ),
    );
    expect(textOf(closed.value)).toContain('Closed');
    expect(textOf(closed.value)).toContain(CARD_VERBS.reopen);
    expect((await conversation(conv.id)).status).toBe('closed');
    await h.invoke(
      alice,
      { threadId },
      'adaptiveCard/action',
      execute(CARD_VERBS.reopen, { conversationId: conv.id }),
    );
    expect((await conversation(conv.id)).status).toBe('open');
  });

  it('R33/R17: a refusal is a line for the person alone, and names nothing they may not see', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    const refused = await body(
      await h.invoke(
        carol,
        { threadId },
        'adaptiveCard/action',
        execute(CARD_VERBS.close, { conversationId: conv.id }),
      ),
    );
    expect(refused).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    expect(refused.value).toBe('That conversation does not exist or is not in your groups.');
    expect(String(refused.value)).not.toContain(conv.contact.name ?? '-');
    expect((await conversation(conv.id)).status).toBe('open');

    const unknown = await body(
      await h.invoke(
        stranger,
        { threadId },
        'adaptiveCard/action',
        execute(CARD_VERBS.assignMe, { conversationId: conv.id }),
      ),
    );
    expect(String(unknown.value)).toContain(`link-teams their@email ${stranger.aadObjectId}`);
    const forged = await body(
      await h.invoke(
        alice,
        { threadId },
        'adaptiveCard/action',
        execute('parley.nope', { conversationId: conv.id }),
      ),
    );
    expect(forged).toMatchObject({ statusCode: 400, type: 'application/vnd.microsoft.error' });
    expect(h.teams.post(threadId)!.replies.filter((r) => r.byBot)).toHaveLength(0);
  });

  it('R31: a restricted conversation’s card in the channel is never redrawn in full by an answer', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    await db.em().nativeUpdate(Conversation, { id: conv.id }, { visibleToIds: [ws.alice.id] });
    const answer = await body(
      await h.invoke(
        alice,
        { threadId },
        'adaptiveCard/action',
        execute(CARD_VERBS.assignMe, { conversationId: conv.id }),
      ),
    );
    expect(answer).toMatchObject({
      type: 'application/vnd.microsoft.activity.message',
      value: `Done: #${conv.number} is open now.`,
    });
    expect((await conversation(conv.id)).assigneeIds).toEqual([ws.alice.id]);
  });
});

describe('the dialogs (task/fetch, task/submit)', { timeout: 30_000 }, () => {
  it('R30: Assign… offers the group’s members and assigns those picked; a refusal keeps the dialog open with why', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    const opened = await body(
      await h.invoke(alice, { threadId }, 'task/fetch', dialog(CARD_VERBS.assign, conv.id)),
    );
    expect(opened.task).toMatchObject({ type: 'continue', value: { title: `Assign #${conv.number}` } });
    const card = textOf(opened.task?.value.card.content);
    for (const name of ['Ada', 'Alice', 'Bob']) expect(card).toContain(name);
    expect(card).not.toContain('Carol');

    const done = await h.invoke(
      alice,
      { threadId },
      'task/submit',
      dialog(CARD_VERBS.assign, conv.id, { people: `${ws.bob.id},${ws.alice.id}` }),
    );
    expect(done.status).toBe(200);
    expect((await conversation(conv.id)).assigneeIds).toEqual([ws.bob.id, ws.alice.id]);

    // Carol is not in the group: the dialog comes back with the reason, her pick kept.
    const refused = await body(
      await h.invoke(
        alice,
        { threadId },
        'task/submit',
        dialog(CARD_VERBS.assign, conv.id, { people: ws.carol.id }),
      ),
    );
    expect(refused.task?.type).toBe('continue');
    expect(textOf(refused.task?.value.card.content)).toContain('⚠️');
    expect((await conversation(conv.id)).assigneeIds).toEqual([ws.bob.id, ws.alice.id]);
  });

  it('R17/R31: Visibility… restricts the conversation to those picked (the person who restricts stays on it)', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    await h.invoke(
      alice,
      { threadId },
      'task/submit',
      dialog(CARD_VERBS.visibility, conv.id, { scope: 'list', people: ws.bob.id }),
    );
    expect([...((await conversation(conv.id)).visibleToIds ?? [])].sort()).toEqual(
      [ws.alice.id, ws.bob.id].sort(),
    );
    // Carol may not see it: the dialog does not open, and says nothing of it.
    const refused = await body(
      await h.invoke(carol, { threadId }, 'task/fetch', dialog(CARD_VERBS.note, conv.id)),
    );
    expect(refused.task).toEqual({
      type: 'message',
      value: 'That conversation does not exist or is not in your groups.',
    });
    await h.invoke(
      alice,
      { threadId },
      'task/submit',
      dialog(CARD_VERBS.visibility, conv.id, { scope: 'everyone', people: '' }),
    );
    expect((await conversation(conv.id)).visibleToIds).toBeNull();
  });

  it('R5/R29: Add note… and, in the personal chat, Reply… record the note and the reply', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    const empty = await body(
      await h.invoke(alice, { threadId }, 'task/submit', dialog(CARD_VERBS.note, conv.id, { text: '  ' })),
    );
    expect(empty.task).toEqual({ type: 'message', value: 'Write the note first.' });
    await h.invoke(
      alice,
      { threadId },
      'task/submit',
      dialog(CARD_VERBS.note, conv.id, { text: 'Wants a refund' }),
    );
    await h.invoke(
      alice,
      { personal: true },
      'task/submit',
      dialog(CARD_VERBS.reply, conv.id, { text: 'Refund on its way' }),
    );
    const messages = await db
      .em()
      .find(
        Message,
        { conversation: conv.id, kind: { $in: ['note', 'reply'] } },
        { orderBy: { seq: 'asc' } },
      );
    expect(messages.map((m) => [m.kind, m.text])).toEqual([
      ['note', 'Wants a refund'],
      ['reply', 'Refund on its way'],
    ]);
  });
});

describe('the dashboard’s buttons (R26, R32)', { timeout: 30_000 }, () => {
  it('a filter is kept for the viewer, the card answered redrawn with it, and the surface asked to redraw', async () => {
    await h.newConversation(ws);
    const before = h.surface.homes.length;
    const res = await body(
      await h.invoke(
        alice,
        { personal: true },
        'adaptiveCard/action',
        execute(CARD_VERBS.dashboard, {
          filters: { my: { status: 'open' }, team: { groupId: null, show: 'all' } },
          teamShow: 'unreplied',
        }),
      ),
    );
    expect(res).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    expect(
      await loadDashboardFilters({ redis: h.redis.producer, prefix: h.redis.prefix }, ws.alice.id),
    ).toEqual({
      my: { status: 'open' },
      team: { groupId: null, show: 'unreplied' },
    });
    expect(h.surface.homes.slice(before)).toEqual([{ userId: ws.alice.id, force: false }]);
    // Teams' own refresh changes nothing and redraws nothing else.
    const refresh = {
      ...execute(CARD_VERBS.dashboard, { filters: { my: { status: 'closed' } } }),
      trigger: 'automatic',
    };
    await h.invoke(alice, { personal: true }, 'adaptiveCard/action', refresh);
    expect(
      (await loadDashboardFilters({ redis: h.redis.producer, prefix: h.redis.prefix }, ws.alice.id)).my
        .status,
    ).toBe('open');
    expect(h.surface.homes.length - before).toBe(1);
  });
});
