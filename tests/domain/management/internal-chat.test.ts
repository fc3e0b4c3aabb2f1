import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../../src/domain/actor.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { assertCanDeleteChat, assertCanMessage } from '../../../src/domain/internal-chat.ts';

const admin: Viewer = { id: 'u-ada', accountId: 'a', role: 'admin', groupIds: ['g1'] };
const alice: Viewer = { id: 'u-alice', accountId: 'a', role: 'agent', groupIds: ['g1'] };

function thrown(fn: () => void): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('internal chat rules', () => {
  it('R25: an active user of the same account may be written to, whatever their group', () => {
    expect(() => assertCanMessage(alice, { accountId: 'a', active: true, name: 'Bob' })).not.toThrow();
  });

  it('R25/R34: a user of another account, or none, is "not found" alike, so accounts are not confirmed', () => {
    for (const recipient of [null, { accountId: 'b', active: true, name: 'Olga' }]) {
      const error = thrown(() => assertCanMessage(alice, recipient));
      expect(error.code).toBe('not_found');
      expect(error.message).toBe('That user does not exist in your account. Pick a user of your account.');
      expect(error.message).not.toContain('Olga');
      expect(error.details).toEqual({ rule: 'R25' });
    }
  });

  it('R25: an inactive user of the account cannot receive internal messages, and the refusal says who', () => {
    const error = thrown(() => assertCanMessage(alice, { accountId: 'a', active: false, name: 'Gil' }));
    expect(error.code).toBe('rule_violation');
    expect(error.message).toBe('Gil is not an active user, so cannot receive internal messages.');
    expect(error.details).toEqual({ rule: 'R25' });
  });

  it('R25: only an admin deletes an internal chat', () => {
    expect(() => assertCanDeleteChat(admin)).not.toThrow();
    const error = thrown(() => assertCanDeleteChat(alice));
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe('Only an admin can delete an internal chat. Ask an admin of your account.');
    expect(error.details).toEqual({ rule: 'R25' });
  });
});
