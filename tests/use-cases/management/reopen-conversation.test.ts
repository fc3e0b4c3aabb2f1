import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { describe, expect, it } from 'vitest';
import { Conversation } from '../../../src/db/entities/index.ts';
import { closeConversation } from '../../../src/use-cases/close-conversation.ts';
import { reopenConversation } from '../../../src/use-cases/reopen-conversation.ts';
import { seedContact } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { as, ctxFor, lastLine, openConv, refusal, reload, workspace } from './support.ts';

const db = await createTestDb();
const ws = await workspace(db);

/** The contact's open conversation in the Support group, as the inbound path looks it up (R2). */
async function openConversationOf(contactId: string): Promise<Conversation | null> {
  return db.em().findOne(Conversation, { contact: contactId, group: ws.group.id, status: 'open' });
}

describe('closing and reopening', () => {
  it("R22: once closed, the contact's next message starts a new conversation", async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    const first = await openConv(db, ws, { contactId: contact.id, assignees: [ws.alice] });
    await closeConversation(ctxFor(db), as(ws.alice), { conversationId: first.id });
    expect(await openConversationOf(contact.id)).toBeNull();
    const next = await openConv(db, ws, { contactId: contact.id });
    expect(next.id).not.toBe(first.id);
    expect(next.number).toBeGreaterThan(first.number);
    expect((await openConversationOf(contact.id))?.id).toBe(next.id);
  });

  it('R22: the database keeps one open conversation per contact and group', async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    await openConv(db, ws, { contactId: contact.id });
    await expect(openConv(db, ws, { contactId: contact.id })).rejects.toBeInstanceOf(
      UniqueConstraintViolationException,
    );
  });

  it('R23: a reopened conversation is the open one again, so later messages join it', async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    const conv = await openConv(db, ws, { contactId: contact.id, status: 'closed' });
    const result = await reopenConversation(ctxFor(db), as(ws.bob), { conversationId: conv.id });
    const after = await reload(db, conv.id);
    expect(after.status).toBe('open');
    expect(after.closedAt).toBeNull();
    expect((await openConversationOf(contact.id))?.id).toBe(conv.id);
    expect(await lastLine(db, conv.id)).toBe('Reopened by Bob');
    expect(result.events).toEqual([
      { type: 'conversation.updated', conversationId: conv.id, groupId: ws.group.id, change: 'reopened' },
    ]);
  });

  it('R23: reopening while the contact has another open conversation is refused, naming it', async () => {
    const { contact } = await seedContact(db.em(), ws.account);
    const old = await openConv(db, ws, { contactId: contact.id, status: 'closed' });
    const current = await openConv(db, ws, { contactId: contact.id });
    const error = await refusal(
      reopenConversation(ctxFor(db), as(ws.alice), { conversationId: old.id }),
      'conflict',
      'R23',
    );
    expect(error.message).toContain(`#${current.number}`);
    expect(error.details?.openConversationNumber).toBe(current.number);
    expect((await reload(db, old.id)).status).toBe('closed');
  });

  it('R23: an open conversation cannot be reopened', async () => {
    const conv = await openConv(db, ws);
    const error = await refusal(
      reopenConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id }),
      'conflict',
    );
    expect(error.message).toContain('already open');
  });
});
