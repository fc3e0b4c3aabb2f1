import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent, Conversation, Message, TeamsActivity, User } from '../../../src/db/entities/index.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { inboundHarness } from './inbound-harness.ts';

/**
 * Issue 10, messages people write in Teams (R29, R30, R33, R35): replies in a conversation's
 * post thread reach the customer, `@Parley <command>` acts on it, answers and refusals reach only
 * the person (their personal chat), and who acts is a linked Parley user.
 */
const db = await createTestDb();
const h = inboundHarness(db);
let ws: Workspace;
const alice = h.teams.addUser({ name: 'Alice Agent', email: 'alice@acme.test' });
const bob = h.teams.addUser({ name: 'Bob Agent', email: 'BOB@acme.test' });
const stranger = h.teams.addUser({ name: 'Sam Stranger', email: null });

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { teamsUserId: alice.aadObjectId });
});

const mention = (u: { id: string; name: string }, text = `<at>${u.name}</at>`) => ({
  type: 'mention',
  text,
  mentioned: { id: u.id, name: u.name },
});
const parley = () => mention({ id: h.teams.botId, name: 'Parley' });

const repliesFrom = (conversationId: string) =>
  db.em().find(Message, { conversation: conversationId, kind: 'reply' }, { orderBy: { seq: 'asc' } });

describe('a message in a conversation’s post thread', { timeout: 30_000 }, () => {
  it('R29: a reply reaches the customer as plain text, the app’s mention dropped, once however often Teams sends it', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    const html =
      '<p><at>Parley</at> Hello <b>Dana</b>,</p><p>your parcel &amp; invoice <a href="https://acme.test/t/1">track it</a></p>';
    const activity = h.channelMessage(alice, threadId, html, { entities: [parley()] });
    expect((await h.post(activity)).status).toBe(200);
    // Teams sends it again (the answer was slow), and again after the claim was pruned.
    expect((await h.post(activity)).status).toBe(200);
    await db.em().nativeDelete(TeamsActivity, {});
    expect((await h.post(activity)).status).toBe(200);

    const [reply, ...more] = await repliesFrom(conv.id);
    expect(more).toHaveLength(0);
    expect(reply!.text).toBe('Hello Dana,\nyour parcel & invoice track it (https://acme.test/t/1)');
    expect(reply!.sourceRef).toBe(`teams:${threadId}:${activity.id}`);
    expect(await h.deliver(reply!.id)).toMatchObject({ outcome: 'sent' });
    expect(h.customer.sent.map((s) => s.text)).toEqual([reply!.text]);
    // Nothing was said in the shared thread, nor privately.
    expect(h.teams.post(threadId)!.replies.filter((r) => r.byBot)).toHaveLength(0);
    expect(h.told(alice)).toEqual([]);
  });

  it('R30: `@Parley note …` acts on the thread’s conversation; the answer reaches the author alone', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    await h.post(
      h.channelMessage(alice, threadId, '<at>Parley</at> note VIP, be <i>kind</i>', { entities: [parley()] }),
    );
    const notes = await db.em().find(Message, { conversation: conv.id, kind: 'note' });
    expect(notes.map((n) => n.text)).toEqual(['VIP, be kind']);
    expect(await repliesFrom(conv.id)).toHaveLength(0);
    expect(h.told(alice).at(-1)).toBe(`Note added to #${conv.number}.`);
    expect(h.teams.post(threadId)!.replies.filter((r) => r.byBot)).toHaveLength(0);
  });

  it('R30: a mentioned person is named by their Entra id from the roster (`@Parley assign @Bob`)', async () => {
    await db.em().nativeUpdate(User, { id: ws.bob.id }, { teamsUserId: bob.aadObjectId });
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    // Teams' new clients split a name into one mention per part.
    const bobMention = [mention(bob, '<at>Bob</at>'), mention(bob, '<at>Agent</at>')];
    await h.post(
      h.channelMessage(alice, threadId, '<at>Parley</at> assign <at>Bob</at> <at>Agent</at>', {
        entities: [parley(), ...bobMention],
      }),
    );
    const after = await db.em().findOneOrFail(Conversation, conv.id);
    expect(after.assigneeIds).toEqual([ws.bob.id]);
    expect(h.told(alice).at(-1)).toContain(`Assigned #${conv.number} to Bob`);
    await db.em().nativeUpdate(User, { id: ws.bob.id }, { teamsUserId: null });
  });

  it('R30/R33: a refused command is explained in the person’s personal chat, never in the shared thread', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    await h.post(
      h.channelMessage(alice, threadId, '<at>Parley</at> delete confirm', { entities: [parley()] }),
    );
    const told = h.told(alice).at(-1)!;
    expect(told).toMatch(/^⛔ Only an admin can delete/);
    expect(told).toContain(`#${conv.number}`);
    expect(told).not.toContain('/parley');
    expect(h.teams.post(threadId)!.replies.filter((r) => r.byBot)).toHaveLength(0);
    const unknownWord = h.channelMessage(alice, threadId, '<at>Parley</at> close now please', {
      entities: [parley()],
    });
    await h.post(unknownWord);
    expect(h.told(alice).at(-1)).toContain('`now` is not understood here.');
    expect(await db.em().findOneOrFail(Conversation, conv.id)).toMatchObject({
      status: 'open',
    });
  });

  it('R33: someone Parley cannot link is told how (with their Entra object id) and nothing is recorded', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    await h.post(h.channelMessage(stranger, threadId, 'I am not anyone'));
    const told = h.told(stranger);
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(`npx parley users link-teams their@email ${stranger.aadObjectId}`);
    expect(await db.em().count(Message, { text: 'I am not anyone' })).toBe(0);
    expect(await db.em().count(User, { teamsUserId: stranger.aadObjectId })).toBe(0);
  });

  it('R33/R35: a person is linked by their roster email on first use, audited; never over another Teams identity', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    await h.post(h.channelMessage(bob, threadId, 'Bob here'));
    expect((await db.em().findOneOrFail(User, ws.bob.id)).teamsUserId).toBe(bob.aadObjectId);
    expect((await repliesFrom(conv.id)).map((m) => m.text)).toEqual(['Bob here']);
    const audit = await db.em().find(AuditEvent, { action: 'user.chat_identity_changed' });
    expect(audit.some((e) => (e.data as { to?: string }).to === bob.aadObjectId)).toBe(true);
    // Their private places and dashboard are redrawn for the new identity (R35), after the commit.
    expect(h.events).toContainEqual({ type: 'user.access_changed', userId: ws.bob.id });

    // Another Teams account with Alice's email: Alice is linked already, so it is refused (R35).
    const twin = h.teams.addUser({ name: 'Alice Twin', email: 'alice@acme.test' });
    await h.post(h.channelMessage(twin, threadId, 'I am Alice too'));
    expect((await db.em().findOneOrFail(User, ws.alice.id)).teamsUserId).toBe(alice.aadObjectId);
    expect(await db.em().count(Message, { text: 'I am Alice too' })).toBe(0);
    expect(h.told(twin)[0]).toContain('not linked');

    // A guest of the tenant whose (other organisation's) email matches Carol's is not linked by it.
    const guest = h.teams.addUser({ name: 'Carol Guest', email: 'carol@acme.test', guest: true });
    await h.post(h.channelMessage(guest, threadId, 'Guest here'));
    expect((await db.em().findOneOrFail(User, ws.carol.id)).teamsUserId).toBeNull();
    expect(await db.em().count(Message, { text: 'Guest here' })).toBe(0);
    expect(h.told(guest)[0]).toContain('not linked');
  });

  it('a message outside any conversation’s thread means something only when written to the app', async () => {
    const { threadId } = await h.channelPost(await h.newConversation(ws));
    const elsewhere = `${threadId.split(';')[0]};messageid=1690000000000`;
    h.teams.posts(); // the channel exists in the fake; a post Parley did not make
    const before = h.told(alice).length;
    const plain = {
      ...h.channelMessage(alice, threadId, 'x'),
      conversation: { id: elsewhere, conversationType: 'channel' },
      id: '1690000000001',
      text: 'Lunch?',
    };
    await h.post(plain);
    expect(h.told(alice)).toHaveLength(before);
    await h.post({ ...plain, id: '1690000000002', text: '<at>Parley</at> inbox team', entities: [parley()] });
    expect(h.told(alice).at(-1)).toMatch(/^Team inbox\n/);
  });
});

describe('edits and deletions in Teams (R29)', { timeout: 30_000 }, () => {
  it('an edit before delivery changes what the customer gets; a deletion before delivery withdraws it', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    const typed = h.channelMessage(alice, threadId, 'Teh parcel');
    await h.post(typed);
    await h.post(h.changed(typed, 'edited', '<p>The parcel</p>'));
    const [reply] = await repliesFrom(conv.id);
    expect(reply!.text).toBe('The parcel');

    const second = h.channelMessage(alice, threadId, 'Wrong customer!');
    await h.post(second);
    await h.post(h.changed(second, 'deleted'));
    // Teams may tell a deletion twice (its retry): said once.
    await h.post(h.changed(second, 'deleted'));
    const withdrawn = await db.em().findOneOrFail(Message, { text: 'Wrong customer!' });
    expect(withdrawn.deliveryState).toBe('failed');
    expect(await h.deliver(withdrawn.id)).toMatchObject({ outcome: 'skipped' });
    expect(h.told(alice).filter((t) => t.includes('deleted before it was sent'))).toHaveLength(1);

    expect(await h.deliver(reply!.id)).toMatchObject({ outcome: 'sent' });
    expect(h.customer.sent.at(-1)?.text).toBe('The parcel');
    await h.post(h.changed(typed, 'edited', 'The parcels'));
    expect(h.told(alice).at(-1)).toContain('they already received the earlier text');
  });
});
