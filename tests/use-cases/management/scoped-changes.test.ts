import type { EntityManager } from '@mikro-orm/postgresql';
import { describe, expect, it } from 'vitest';
import { Conversation, Invoice, Message, ReadState } from '../../../src/db/entities/index.ts';
import { addNote } from '../../../src/use-cases/add-note.ts';
import { assignConversation } from '../../../src/use-cases/assign-conversation.ts';
import { deleteConversation } from '../../../src/use-cases/delete-conversation.ts';
import { markRead } from '../../../src/use-cases/mark-read.ts';
import { reopenConversation } from '../../../src/use-cases/reopen-conversation.ts';
import { restrictVisibility } from '../../../src/use-cases/restrict-visibility.ts';
import { appendMessage } from '../../../src/use-cases/timeline.ts';
import { seedContact } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { isConversationUnreadFor } from '../../support/unread.ts';
import {
  addInvoice,
  as,
  ctxFor,
  lastLine,
  openConv,
  refusal,
  reload,
  timeline,
  workspace,
} from './support.ts';

// Each verb changes only what it names: found by mutation testing (npm run mutation:use-cases),
// where a change widened to other rows or a refusal that named too much went unnoticed.
const db = await createTestDb();
const ws = await workspace(db);

async function customerWritesAgain(conversationId: string) {
  await db.em().transactional(async (tx) => {
    const conv = await tx.findOneOrFail(Conversation, conversationId);
    await appendMessage(tx as EntityManager, conv, { kind: 'inbound', text: 'Any news?', now: new Date() });
  });
}

const unreadFor = async (user: { id: string }, conversationId: string) => {
  const em = db.em();
  return isConversationUnreadFor(em, user.id, await em.findOneOrFail(Conversation, conversationId));
};

describe('changes stay within their conversation', () => {
  it("R24: deleting a conversation removes its messages, invoices and read markers, and no other conversation's", async () => {
    const doomed = await openConv(db, ws, { messages: ['inbound', 'reply', 'note'] });
    const kept = await openConv(db, ws, { messages: ['inbound', 'reply'] });
    await addInvoice(db, doomed, `INV-${doomed.number}-1`, 'paid');
    await addInvoice(db, kept, `INV-${kept.number}-1`, 'paid');
    await markRead(ctxFor(db), as(ws.bob), { conversationId: doomed.id });
    await markRead(ctxFor(db), as(ws.bob), { conversationId: kept.id });

    const result = await deleteConversation(ctxFor(db), as(ws.admin), { conversationId: doomed.id });

    expect(result.removed).toEqual({ messages: 3, invoices: 1, checkouts: 0 });
    const em = db.em();
    expect(await em.count(Message, { conversation: kept.id })).toBe(2);
    expect(await em.count(Invoice, { conversation: kept.id })).toBe(1);
    expect(await em.count(ReadState, { conversation: kept.id })).toBe(1);
    expect(await em.count(Message, { conversation: doomed.id })).toBe(0);
    const tombstone = await reload(db, doomed.id);
    expect(tombstone).toMatchObject({
      status: 'deleted',
      assigneeIds: [],
      unrepliedCount: 0,
      aiState: 'off',
    });
  });

  it('R24: the stored files of the deleted conversation are named for removal, and only those', async () => {
    const doomed = await openConv(db, ws, { messages: [] });
    const kept = await openConv(db, ws, { messages: [] });
    const file = (id: string, storageKey: string) => ({
      id,
      kind: 'document' as const,
      name: `${id}.pdf`,
      storageKey,
    });
    await addNote(ctxFor(db), as(ws.alice), {
      conversationId: doomed.id,
      attachments: [file('a1', 'k-doomed')],
    });
    await addNote(ctxFor(db), as(ws.alice), { conversationId: kept.id, attachments: [file('a2', 'k-kept')] });

    const result = await deleteConversation(ctxFor(db), as(ws.admin), { conversationId: doomed.id });

    expect(result.events).toEqual([
      {
        type: 'conversation.deleted',
        conversationId: doomed.id,
        groupId: ws.group.id,
        number: doomed.number,
        storageKeys: ['k-doomed'],
      },
    ]);
  });

  it('R5: a note may be an attachment alone, without text', async () => {
    const conv = await openConv(db, ws);
    await addNote(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      attachments: [{ id: 'a3', kind: 'image', name: 'screen.png' }],
    });
    const note = (await timeline(db, conv.id)).at(-1);
    expect(note).toMatchObject({ kind: 'note', text: null });
    expect(note?.attachments.map((a) => a.name)).toEqual(['screen.png']);
  });

  it('R5: a note written on a chat surface keeps its source key, and a text note carries no attachment', async () => {
    const conv = await openConv(db, ws);
    const result = await addNote(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      text: 'Called her',
      source: { key: 'slack:C_SUPPORT:1.5', origin: { surface: 'slack', ref: { ts: '1.5' } } },
    });
    const note = await db.em().findOneOrFail(Message, result.messageId);
    expect(note.sourceRef).toBe('slack:C_SUPPORT:1.5');
    expect(note.attachments).toEqual([]);
  });

  it("R12: a user's own system line never marks as read what they had not read", async () => {
    const conv = await openConv(db, ws);
    await markRead(ctxFor(db), as(ws.alice), { conversationId: conv.id });
    await customerWritesAgain(conv.id);
    await assignConversation(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      assigneeIds: [ws.alice.id],
    });
    expect(await unreadFor(ws.alice, conv.id)).toBe(true);
  });
});

describe('assignment and visibility results', () => {
  it('R15: narrowing the assignees names only those who left', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice, ws.bob] });
    const result = await assignConversation(ctxFor(db), as(ws.admin), {
      conversationId: conv.id,
      assigneeIds: [ws.bob.id],
    });
    expect(result.changed).toBe(true);
    expect(await lastLine(db, conv.id)).toBe('Ada assigned Bob; Alice is no longer assigned');
  });

  it('R17: restricting to the list the conversation already has changes nothing and writes no line', async () => {
    const conv = await openConv(db, ws, { visibleTo: [ws.alice, ws.bob] });
    const before = (await timeline(db, conv.id)).length;
    const result = await restrictVisibility(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      visibleToIds: [ws.bob.id, ws.alice.id],
    });
    expect(result).toMatchObject({ changed: false, droppedAssigneeIds: [], events: [] });
    expect((await timeline(db, conv.id)).length).toBe(before);
  });

  it('R17: opening a conversation that is already open to the group changes nothing', async () => {
    const conv = await openConv(db, ws);
    const result = await restrictVisibility(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      visibleToIds: null,
    });
    expect(result).toMatchObject({ changed: false, events: [] });
  });

  it('R17/R18: a restriction that drops assignees reports both changes; one that drops nobody reports visibility', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice, ws.bob] });
    const narrowed = await restrictVisibility(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      visibleToIds: [],
    });
    expect(narrowed.changed).toBe(true);
    expect(narrowed.events).toEqual([
      {
        type: 'conversation.updated',
        conversationId: conv.id,
        groupId: ws.group.id,
        change: 'visibility',
      },
      { type: 'conversation.updated', conversationId: conv.id, groupId: ws.group.id, change: 'assigned' },
    ]);
    const widened = await restrictVisibility(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      visibleToIds: [ws.bob.id],
    });
    expect(widened.changed).toBe(true);
    expect(widened.events).toEqual([
      { type: 'conversation.updated', conversationId: conv.id, groupId: ws.group.id, change: 'visibility' },
    ]);
  });
});

describe('reopening next to a hidden conversation', () => {
  it("R23/R34: the refusal does not name the contact's open conversation when the user may not see it", async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    const old = await openConv(db, ws, { contactId: contact.id, status: 'closed' });
    const hidden = await openConv(db, ws, { contactId: contact.id, visibleTo: [ws.alice] });
    const error = await refusal(
      reopenConversation(ctxFor(db), as(ws.bob), { conversationId: old.id }),
      'conflict',
      'R23',
    );
    expect(error.message).not.toContain(`#${hidden.number}`);
    expect(error.message).toContain('restricted to a list you are not on');
    expect(error.details).toEqual({ rule: 'R23' });
    // Alice, on its list, is told which conversation it is.
    const named = await refusal(
      reopenConversation(ctxFor(db), as(ws.alice), { conversationId: old.id }),
      'conflict',
      'R23',
    );
    expect(named.details?.openConversationNumber).toBe(hidden.number);
  });
});
