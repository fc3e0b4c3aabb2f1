import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../../src/domain/actor.ts';
import { AppError } from '../../../src/domain/errors.ts';
import {
  assertCanClose,
  assertCanDelete,
  assertCanReopen,
  assertNoUnpaidInvoices,
  closedLine,
  reopenedLine,
} from '../../../src/domain/lifecycle.ts';

// The refusals of R20–R24 name what blocks the change and carry the rule, so surfaces can say why.
const admin: Viewer = { id: 'u-ada', accountId: 'a', role: 'admin', groupIds: ['g1'] };
const alice: Viewer = { id: 'u-alice', accountId: 'a', role: 'agent', groupIds: ['g1'] };
const bob: Viewer = { id: 'u-bob', accountId: 'a', role: 'agent', groupIds: ['g1'] };
const open = { number: 1042, status: 'open' as const, assigneeIds: ['u-alice'] };
const closed = { ...open, status: 'closed' as const };

function thrown(fn: () => void): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('lifecycle refusals', () => {
  it('R20: closing a closed conversation is a conflict, even for its assignee or an admin', () => {
    for (const viewer of [alice, admin]) {
      const error = thrown(() => assertCanClose(viewer, closed));
      expect(error.code).toBe('conflict');
      expect(error.message).toBe('Conversation #1042 is already closed.');
      expect(error.details).toEqual({ rule: 'R20' });
    }
  });

  it('R20: the refusal to another agent says who may close and what to do', () => {
    const error = thrown(() => assertCanClose(bob, open));
    expect(error.message).toBe(
      'Only an assignee of conversation #1042 or an admin can close it. Assign it to yourself first, or ask an assignee or an admin.',
    );
    expect(error.details).toEqual({ rule: 'R20', conversationNumber: 1042 });
  });

  it('R21: one unpaid invoice blocks closing, and the refusal names it', () => {
    const error = thrown(() => assertNoUnpaidInvoices(open, ['INV-1042-1'], 'close'));
    expect(error.code).toBe('rule_violation');
    expect(error.message).toBe(
      'Conversation #1042 cannot be closed while it holds the unpaid invoice INV-1042-1. Wait until it is paid, or have an admin void it.',
    );
    expect(error.details).toEqual({
      rule: 'R21',
      invoiceReference: 'INV-1042-1',
      invoiceReferences: ['INV-1042-1'],
    });
  });

  it('R24: unpaid invoices block deleting, and the refusal says deleting and names them all', () => {
    const error = thrown(() => assertNoUnpaidInvoices(open, ['INV-1042-1', 'INV-1042-2'], 'delete'));
    expect(error.code).toBe('rule_violation');
    expect(error.message).toMatch(
      /^Conversation #1042 cannot be deleted while it holds the unpaid invoices INV-1042-1, INV-1042-2\./,
    );
    expect(error.details).toEqual({
      rule: 'R24',
      invoiceReference: 'INV-1042-1',
      invoiceReferences: ['INV-1042-1', 'INV-1042-2'],
    });
  });

  it('R23: reopening an open conversation is a conflict under R23', () => {
    const error = thrown(() => assertCanReopen(open, null));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe('Conversation #1042 is already open.');
    expect(error.details).toEqual({ rule: 'R23' });
  });

  it("R23: the refusal names the contact's other open conversation and points there", () => {
    const error = thrown(() => assertCanReopen(closed, { id: 'c2', number: 1043, visible: true }));
    expect(error.code).toBe('conflict');
    expect(error.message).toBe(
      'Conversation #1042 cannot be reopened: the contact already has conversation #1043 open in this group. Continue there, or close #1043 first.',
    );
    expect(error.details).toEqual({ rule: 'R23', openConversationId: 'c2', openConversationNumber: 1043 });
  });

  it('R23/R34: when the other open conversation is hidden from the user, the refusal says only that it exists', () => {
    const error = thrown(() => assertCanReopen(closed, { id: 'c2', number: 1043, visible: false }));
    expect(error.message).toBe(
      'Conversation #1042 cannot be reopened: the contact already has another conversation open in this group, restricted to a list you are not on. Ask an admin of the group.',
    );
    expect(error.details).toEqual({ rule: 'R23' });
  });

  it('R24: the refusal to delete names the conversation and whom to ask', () => {
    const error = thrown(() => assertCanDelete(alice, open));
    expect(error.message).toBe('Only an admin can delete conversation #1042. Ask an admin of your group.');
    expect(error.details).toEqual({ rule: 'R24', conversationNumber: 1042 });
  });

  it('R20/R23: closing and reopening leave a line naming who did it', () => {
    expect(closedLine('Alice')).toBe('Closed by Alice');
    expect(reopenedLine('Ada')).toBe('Reopened by Ada');
  });
});
