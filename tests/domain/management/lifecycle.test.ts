import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../../src/domain/actor.ts';
import { AppError } from '../../../src/domain/errors.ts';
import {
  aiStateAfterClose,
  assertCanClose,
  assertCanDelete,
  assertCanReopen,
  assertNoUnpaidInvoices,
} from '../../../src/domain/lifecycle.ts';
import { isUnread, unreadMarker } from '../../../src/domain/unread.ts';

const admin: Viewer = { id: 'u-ada', accountId: 'a', role: 'admin', groupIds: ['g1'] };
const alice: Viewer = { id: 'u-alice', accountId: 'a', role: 'agent', groupIds: ['g1'] };
const bob: Viewer = { id: 'u-bob', accountId: 'a', role: 'agent', groupIds: ['g1'] };
const open = { number: 1042, status: 'open' as const, assigneeIds: ['u-alice'] };

function thrown(fn: () => void): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('lifecycle rules', () => {
  it('R20: an assignee or an admin may close; another agent may not', () => {
    expect(() => assertCanClose(alice, open)).not.toThrow();
    expect(() => assertCanClose(admin, open)).not.toThrow();
    const error = thrown(() => assertCanClose(bob, open));
    expect(error.code).toBe('forbidden');
    expect(error.details?.rule).toBe('R20');
  });

  it('R21: unpaid invoices block closing and are named', () => {
    expect(() => assertNoUnpaidInvoices(open, [], 'close')).not.toThrow();
    const error = thrown(() => assertNoUnpaidInvoices(open, ['INV-1042-1', 'INV-1042-2'], 'close'));
    expect(error.message).toContain(
      '#1042 cannot be closed while it holds the unpaid invoices INV-1042-1, INV-1042-2',
    );
    expect(error.details).toMatchObject({ rule: 'R21', invoiceReference: 'INV-1042-1' });
  });

  it('R24: unpaid invoices block deleting; only admins delete', () => {
    expect(thrown(() => assertNoUnpaidInvoices(open, ['INV-9'], 'delete')).details?.rule).toBe('R24');
    expect(() => assertCanDelete(admin, open)).not.toThrow();
    expect(thrown(() => assertCanDelete(alice, open)).code).toBe('forbidden');
  });

  it('R23: a closed conversation reopens unless another is open, which the refusal names', () => {
    const closed = { ...open, status: 'closed' as const };
    expect(() => assertCanReopen(closed, null)).not.toThrow();
    const error = thrown(() => assertCanReopen(closed, { id: 'c2', number: 1043, visible: true }));
    expect(error.message).toContain('#1043');
    expect(thrown(() => assertCanReopen(open, null)).code).toBe('conflict');
  });

  it('R34: when the other open conversation is one the user may not see, the refusal does not name it', () => {
    const closed = { ...open, status: 'closed' as const };
    const error = thrown(() => assertCanReopen(closed, { id: 'c2', number: 1043, visible: false }));
    expect(error.code).toBe('conflict');
    expect(error.message).not.toContain('1043');
    expect(error.details).not.toHaveProperty('openConversationNumber');
  });

  it('R14: closing ends a handoff: the AI is active again where the group has one', () => {
    expect(aiStateAfterClose(true)).toBe('active');
    expect(aiStateAfterClose(false)).toBe('off');
  });

  it("R12: a conversation is unread while it has messages after the user's read marker", () => {
    expect(isUnread(3, undefined)).toBe(true);
    expect(isUnread(3, 2)).toBe(true);
    expect(isUnread(3, 3)).toBe(false);
    expect(isUnread(0, null)).toBe(false);
    expect(unreadMarker(3)).toBe(2);
    expect(unreadMarker(0)).toBe(0);
  });
});
