import { describe, expect, it } from 'vitest';
import { AuditEvent } from '../../../src/db/entities/index.ts';
import { assignConversation } from '../../../src/use-cases/assign-conversation.ts';
import { closeConversation } from '../../../src/use-cases/close-conversation.ts';
import { deleteConversation } from '../../../src/use-cases/delete-conversation.ts';
import { reopenConversation } from '../../../src/use-cases/reopen-conversation.ts';
import { restrictVisibility } from '../../../src/use-cases/restrict-visibility.ts';
import { createTestDb } from '../../support/test-db.ts';
import { addInvoice, as, ctxFor, openConv, outsider, refusal, workspace } from './support.ts';

// Every management change leaves an audit record of who did what, with what it changed, and
// returns the conversation it changed; each refusal carries the rule it applies. Found by
// mutation testing (npm run mutation:use-cases).
const db = await createTestDb();
const ws = await workspace(db);

const trail = (conversationId: string) =>
  db.em().find(AuditEvent, { conversationId }, { orderBy: { createdAt: 'asc', action: 'asc' } });

describe('the audit trail of management changes', () => {
  it('R33: assigning, restricting, closing and reopening are audited with the acting user and the change', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.bob] });

    await assignConversation(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      assigneeIds: [ws.alice.id, ws.bob.id],
    });
    await restrictVisibility(ctxFor(db), as(ws.alice), { conversationId: conv.id, visibleToIds: [] });
    const closed = await closeConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id });
    expect(closed.conversation).toMatchObject({ id: conv.id, status: 'closed' });
    const reopened = await reopenConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id });
    expect(reopened.conversation).toMatchObject({ id: conv.id, status: 'open' });

    const events = await trail(conv.id);
    expect(events.map((e) => [e.action, e.actorType, e.actorUserId])).toEqual([
      ['conversation.assigned', 'user', ws.alice.id],
      ['conversation.visibility', 'user', ws.alice.id],
      ['conversation.closed', 'user', ws.alice.id],
      ['conversation.reopened', 'user', ws.alice.id],
    ]);
    expect(events[0]?.data).toEqual({ assigneeIds: [ws.alice.id, ws.bob.id], removedIds: [] });
    expect(events[1]?.data).toEqual({ visibleToIds: [ws.alice.id], droppedAssigneeIds: [ws.bob.id] });
  });
});

describe('refusals carry their rule', () => {
  it('R15: assigning a user of another account is refused under R15', async () => {
    const conv = await openConv(db, ws);
    const olga = await outsider(db);
    await refusal(
      assignConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id, assigneeIds: [olga.id] }),
      'rule_violation',
      'R15',
    );
  });

  it('R17: restricting to a user outside the group is refused under R17', async () => {
    const conv = await openConv(db, ws);
    const olga = await outsider(db);
    await refusal(
      restrictVisibility(ctxFor(db), as(ws.alice), { conversationId: conv.id, visibleToIds: [olga.id] }),
      'rule_violation',
      'R17',
    );
  });

  it('R15/R17: a user of another group is refused with what they could not become', async () => {
    const conv = await openConv(db, ws);
    const assigning = await refusal(
      assignConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id, assigneeIds: [ws.carol.id] }),
      'rule_violation',
      'R15',
    );
    expect(assigning.message).toBe(
      'Carol is not an active user of Support, so they cannot be assigned. Pick users of the group.',
    );
    const restricting = await refusal(
      restrictVisibility(ctxFor(db), as(ws.alice), { conversationId: conv.id, visibleToIds: [ws.carol.id] }),
      'rule_violation',
      'R17',
    );
    expect(restricting.message).toBe(
      'Carol is not an active user of Support, so they cannot be given access. Pick users of the group.',
    );
  });

  it('R24: deleting with an unpaid invoice is refused under R24, as a deletion', async () => {
    const conv = await openConv(db, ws);
    await addInvoice(db, conv, `INV-${conv.number}-1`);
    const error = await refusal(
      deleteConversation(ctxFor(db), as(ws.admin), { conversationId: conv.id }),
      'rule_violation',
      'R24',
    );
    expect(error.message).toContain('cannot be deleted');
  });
});
