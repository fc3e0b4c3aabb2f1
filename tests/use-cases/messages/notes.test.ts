import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation, Group, Message } from '../../../src/db/entities/index.ts';
import { aiActor, userActor } from '../../../src/domain/actor.ts';
import { addNote } from '../../../src/use-cases/add-note.ts';
import { buildAiContext } from '../../../src/use-cases/ai-context.ts';
import { inTransaction } from '../../../src/use-cases/context.ts';
import { customerTranscript } from '../../../src/use-cases/customer-transcript.ts';
import { loadConversationLocked } from '../../../src/use-cases/load.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { appendMessage, appendSystemLine } from '../../../src/use-cases/timeline.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { ctxAt, customerWrites, loadConversation, recordAiReply } from './support.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(Group, { id: ws.group.id }, { aiAgent: { enabled: true } });
});

const SECRET = 'CANARY-7f3a: client is under investigation';

async function conversationWithEverything() {
  const { phone } = await seedContact(db.em(), ws.account);
  const { conversationId } = await customerWrites(db, { from: phone, text: 'My card was charged twice' });
  await inTransaction(ctxAt(db), async (tx, _record, now) => {
    const conv = await loadConversationLocked(tx, conversationId);
    await appendMessage(tx, conv, {
      kind: 'auto_response',
      text: 'Thanks, we will be right with you.',
      deliver: true,
      now,
    });
    await appendSystemLine(tx, conv, { kind: 'system' }, 'test.line', 'System line text', now);
    return {};
  });
  await recordAiReply(ctxAt(db), aiActor, { conversationId, text: 'Let me check that for you.' });
  await addNote(ctxAt(db), userActor(ws.alice.id), { conversationId, text: SECRET });
  await sendReply(ctxAt(db), userActor(ws.alice.id), { conversationId, text: 'Refund issued.' });
  return conversationId;
}

describe('private notes', () => {
  it('R5: a note is written by a user into the conversation and is never queued for delivery', async () => {
    const { phone } = await seedContact(db.em(), ws.account);
    const { conversationId } = await customerWrites(db, { from: phone });
    const res = await addNote(ctxAt(db), userActor(ws.bob.id), { conversationId, text: SECRET });
    const note = await db.em().findOneOrFail(Message, { id: res.messageId });
    expect([note.kind, note.author?.id, note.text]).toEqual(['note', ws.bob.id, SECRET]);
    expect(note.deliveryState).toBeNull();
    expect(note.deliveryDueAt).toBeNull();
    expect(res.events).toEqual([expect.objectContaining({ type: 'message.created', kind: 'note' })]);
  });

  it('R5: the customer transcript (webchat) never contains a note or a system line', async () => {
    const conversationId = await conversationWithEverything();
    const transcript = await customerTranscript(db.em(), conversationId);
    expect(JSON.stringify(transcript)).not.toContain('CANARY-7f3a');
    expect(JSON.stringify(transcript)).not.toContain('System line text');
    expect(transcript.map((t) => [t.from, t.text])).toEqual([
      ['customer', 'My card was charged twice'],
      ['agent', 'Thanks, we will be right with you.'],
      ['ai', 'Let me check that for you.'],
      ['agent', 'Refund issued.'],
    ]);
  });

  it("R5: the AI agent's context never contains a note or a system line", async () => {
    const conversationId = await conversationWithEverything();
    const context = await buildAiContext(db.em(), conversationId);
    expect(JSON.stringify(context)).not.toContain('CANARY-7f3a');
    expect(context).toEqual([
      { role: 'customer', text: 'My card was charged twice' },
      { role: 'agent', text: 'Thanks, we will be right with you.' },
      { role: 'ai', text: 'Let me check that for you.' },
      { role: 'agent', text: 'Refund issued.' },
    ]);
  });

  it("R5: the transcript answers not found for another contact's conversation", async () => {
    const conversationId = await conversationWithEverything();
    const other = await seedContact(db.em(), ws.account);
    await expect(
      customerTranscript(db.em(), conversationId, { contactId: other.contact.id }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it("R11: a note is not a reply: the customer's message stays unreplied", async () => {
    const { phone } = await seedContact(db.em(), ws.account);
    const { conversationId } = await customerWrites(db, { from: phone });
    await addNote(ctxAt(db), userActor(ws.alice.id), { conversationId, text: 'Looking into it' });
    expect((await loadConversation(db.em(), conversationId)).unrepliedCount).toBe(1);
  });

  it('R33: a user of another group cannot add a note', async () => {
    const { phone } = await seedContact(db.em(), ws.account);
    const { conversationId } = await customerWrites(db, { from: phone });
    await expect(
      addNote(ctxAt(db), userActor(ws.carol.id), { conversationId, text: 'x' }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it("R17: a user not on a restricted conversation's list cannot add a note", async () => {
    const { phone } = await seedContact(db.em(), ws.account);
    const { conversationId } = await customerWrites(db, { from: phone });
    const em = db.em();
    (await em.findOneOrFail(Conversation, { id: conversationId })).visibleToIds = [ws.alice.id];
    await em.flush();
    await expect(
      addNote(ctxAt(db), userActor(ws.bob.id), { conversationId, text: 'x' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
      details: { rule: 'R17' },
    });
    expect(await db.em().count(Message, { conversation: conversationId, kind: 'note' })).toBe(0);
  });

  it('an empty note is refused as invalid', async () => {
    const { phone } = await seedContact(db.em(), ws.account);
    const { conversationId } = await customerWrites(db, { from: phone });
    await expect(
      addNote(ctxAt(db), userActor(ws.alice.id), { conversationId, text: '' }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });
});
