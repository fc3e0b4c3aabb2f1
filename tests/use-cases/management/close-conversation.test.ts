import { describe, expect, it } from 'vitest';
import { Conversation, Group, SurfaceThread } from '../../../src/db/entities/index.ts';
import { closeConversation } from '../../../src/use-cases/close-conversation.ts';
import { setAiMode } from '../../../src/use-cases/set-ai-mode.ts';
import { createTestDb } from '../../support/test-db.ts';
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

const db = await createTestDb();
const ws = await workspace(db);

describe('closeConversation', () => {
  it('R20: an assignee closes the conversation; it keeps its messages and is found with the closed filter', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice], messages: ['inbound', 'reply', 'note'] });
    const result = await closeConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id });
    const after = await reload(db, conv.id);
    expect(after.status).toBe('closed');
    expect(after.closedAt).toBeInstanceOf(Date);
    expect((await timeline(db, conv.id)).map((m) => m.kind)).toEqual(['inbound', 'reply', 'note', 'system']);
    expect(await lastLine(db, conv.id)).toBe('Closed by Alice');
    expect(result.events).toEqual([
      { type: 'conversation.updated', conversationId: conv.id, groupId: ws.group.id, change: 'closed' },
    ]);
    const closedFilter = await db.em().find(Conversation, { group: ws.group.id, status: 'closed' });
    const openFilter = await db.em().find(Conversation, { group: ws.group.id, status: 'open' });
    expect(closedFilter.map((c) => c.id)).toContain(conv.id);
    expect(openFilter.map((c) => c.id)).not.toContain(conv.id);
  });

  it('R20: an admin closes a conversation they are not assigned to', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    await closeConversation(ctxFor(db), as(ws.admin), { conversationId: conv.id });
    expect((await reload(db, conv.id)).status).toBe('closed');
    expect(await lastLine(db, conv.id)).toBe('Closed by Ada');
  });

  it('R20: an agent who is not assigned cannot close it, and is told who can', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    const error = await refusal(
      closeConversation(ctxFor(db), as(ws.bob), { conversationId: conv.id }),
      'forbidden',
      'R20',
    );
    expect(error.message).toContain('Only an assignee');
    expect((await reload(db, conv.id)).status).toBe('open');
  });

  it('R20: an unassigned conversation can be closed by an admin only', async () => {
    const conv = await openConv(db, ws);
    await refusal(
      closeConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id }),
      'forbidden',
      'R20',
    );
    await closeConversation(ctxFor(db), as(ws.admin), { conversationId: conv.id });
    expect((await reload(db, conv.id)).status).toBe('closed');
  });

  it('R21: a conversation with an unpaid invoice cannot be closed; the refusal names the invoice', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    await addInvoice(db, conv, 'INV-PAID-1', 'paid');
    await addInvoice(db, conv, 'INV-OPEN-7');
    const error = await refusal(
      closeConversation(ctxFor(db), as(ws.admin), { conversationId: conv.id }),
      'rule_violation',
      'R21',
    );
    expect(error.message).toContain('INV-OPEN-7');
    expect(error.message).not.toContain('INV-PAID-1');
    expect(error.details?.invoiceReference).toBe('INV-OPEN-7');
    expect((await reload(db, conv.id)).status).toBe('open');
  });

  it('R21: paid and void invoices do not block closing', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    await addInvoice(db, conv, 'INV-DONE-1', 'paid');
    await addInvoice(db, conv, 'INV-VOID-1', 'void');
    await closeConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id });
    expect((await reload(db, conv.id)).status).toBe('closed');
  });

  it('R20: closing a closed conversation is refused as already closed', async () => {
    const conv = await openConv(db, ws, { status: 'closed' });
    const error = await refusal(
      closeConversation(ctxFor(db), as(ws.admin), { conversationId: conv.id }),
      'conflict',
    );
    expect(error.message).toContain('already closed');
  });

  it('R14: closing ends an AI handoff: where the group has an AI agent it answers again', async () => {
    await db.em().nativeUpdate(Group, { id: ws.group.id }, { aiAgent: { enabled: true } });
    try {
      const conv = await openConv(db, ws, { assignees: [ws.alice] });
      // Alice takes the conversation over from the AI agent.
      const handoff = await setAiMode(ctxFor(db), as(ws.alice), { conversationId: conv.id, mode: 'human' });
      expect(handoff).toMatchObject({ aiState: 'handed_off', changed: true });
      await closeConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id });
      const after = await reload(db, conv.id);
      expect(after.aiState).toBe('active');
      expect(after.aiHandoffAt).toBeNull();
    } finally {
      await db.em().nativeUpdate(Group, { id: ws.group.id }, { aiAgent: null });
    }
  });

  it('R14: without an enabled AI agent a handed-off conversation closes with the AI off', async () => {
    // Handed off while the group had an AI agent; then an admin turned the AI agent off.
    await db.em().nativeUpdate(Group, { id: ws.group.id }, { aiAgent: { enabled: true } });
    let conv: Conversation;
    try {
      conv = await openConv(db, ws, { assignees: [ws.alice] });
      const handoff = await setAiMode(ctxFor(db), as(ws.alice), { conversationId: conv.id, mode: 'human' });
      expect(handoff).toMatchObject({ aiState: 'handed_off', changed: true });
    } finally {
      await db.em().nativeUpdate(Group, { id: ws.group.id }, { aiAgent: null });
    }
    await closeConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id });
    expect((await reload(db, conv.id)).aiState).toBe('off');
  });

  it('R28: closing flags the Slack thread header for a redraw (status is shown there)', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    const em = db.em();
    const thread = em.create(SurfaceThread, {
      conversation: em.getReference(Conversation, conv.id),
      surface: 'slack',
      place: 'C_SUPPORT',
      headerDirty: false,
    });
    await em.flush();
    await closeConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id });
    expect((await db.em().findOneOrFail(SurfaceThread, thread.id)).headerDirty).toBe(true);
  });
});
