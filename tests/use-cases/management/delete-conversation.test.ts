import { describe, expect, it } from 'vitest';
import {
  Account,
  AuditEvent,
  Checkout,
  Conversation,
  Invoice,
  Message,
  ReadState,
  SurfaceThread,
} from '../../../src/db/entities/index.ts';
import { deleteConversation } from '../../../src/use-cases/delete-conversation.ts';
import { markRead } from '../../../src/use-cases/mark-read.ts';
import { seedContact } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { addInvoice, as, ctxFor, openConv, refusal, reload, workspace } from './support.ts';

const db = await createTestDb();
const ws = await workspace(db);

async function addCheckoutAndThread(conv: Conversation) {
  const em = db.em();
  const account = em.getReference(Account, ws.account.id);
  const conversation = em.getReference(Conversation, conv.id);
  em.create(Checkout, { account, conversation, amountMinor: 900, currency: 'EUR', items: [] });
  em.create(SurfaceThread, { conversation, surface: 'slack', place: 'C_SUPPORT', ref: { ts: '1.2' } });
  await em.flush();
}

describe('deleteConversation', () => {
  it('R24: an admin deletes a conversation and everything in it; its Slack/Teams threads stay for the mirror worker', async () => {
    const conv = await openConv(db, ws, { messages: ['inbound', 'reply', 'note'] });
    await addInvoice(db, conv, 'INV-DEL-1', 'paid');
    await addCheckoutAndThread(conv);
    await markRead(ctxFor(db), as(ws.alice), { conversationId: conv.id });

    const result = await deleteConversation(ctxFor(db), as(ws.admin), { conversationId: conv.id });

    const em = db.em();
    expect(await em.count(Message, { conversation: conv.id })).toBe(0);
    expect(await em.count(Invoice, { conversation: conv.id })).toBe(0);
    expect(await em.count(Checkout, { conversation: conv.id })).toBe(0);
    expect(await em.count(ReadState, { conversation: conv.id })).toBe(0);
    expect(await em.count(SurfaceThread, { conversation: conv.id })).toBe(1);
    expect((await reload(db, conv.id)).status).toBe('deleted');
    expect(result.removed).toEqual({ messages: 3, invoices: 1, checkouts: 1 });
    expect(result.events).toEqual([
      {
        type: 'conversation.deleted',
        conversationId: conv.id,
        groupId: ws.group.id,
        number: conv.number,
        storageKeys: [],
      },
    ]);
    const trail = await em.findOneOrFail(AuditEvent, {
      conversationId: conv.id,
      action: 'conversation.deleted',
    });
    expect(trail.actorUserId).toBe(ws.admin.id);
    expect(trail.data).toMatchObject({ number: conv.number, by: 'Ada' });
  });

  it('R6: a deleted conversation is gone for everyone and frees the contact for a new one', async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    const conv = await openConv(db, ws, { contactId: contact.id });
    await deleteConversation(ctxFor(db), as(ws.admin), { conversationId: conv.id });
    await refusal(markRead(ctxFor(db), as(ws.admin), { conversationId: conv.id }), 'not_found');
    await refusal(deleteConversation(ctxFor(db), as(ws.admin), { conversationId: conv.id }), 'not_found');
    const next = await openConv(db, ws, { contactId: contact.id });
    expect(next.status).toBe('open');
  });

  it('R24: an agent cannot delete a conversation, even one assigned to them', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    const error = await refusal(
      deleteConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id }),
      'forbidden',
      'R24',
    );
    expect(error.message).toContain('Only an admin');
    expect(await db.em().count(Message, { conversation: conv.id })).toBe(1);
  });

  it('R24: deleting is refused while the conversation holds an unpaid invoice, naming it', async () => {
    const conv = await openConv(db, ws);
    await addInvoice(db, conv, 'INV-OWED-3');
    const error = await refusal(
      deleteConversation(ctxFor(db), as(ws.admin), { conversationId: conv.id }),
      'rule_violation',
      'R24',
    );
    expect(error.message).toContain('INV-OWED-3');
    expect((await reload(db, conv.id)).status).toBe('open');
    expect(await db.em().count(Message, { conversation: conv.id })).toBe(1);
  });

  it('R24: an admin may delete a restricted conversation they are not on the list of', async () => {
    const conv = await openConv(db, ws, { visibleTo: [ws.alice] });
    await deleteConversation(ctxFor(db), as(ws.admin), { conversationId: conv.id });
    expect((await db.em().findOneOrFail(Conversation, conv.id)).status).toBe('deleted');
  });
});
