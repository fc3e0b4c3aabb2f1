import { describe, expect, it } from 'vitest';
import {
  accessWithdrawnLine,
  assertAssigneesCanSee,
  assertGroupMembers,
  assignmentLine,
  listNames,
  noLongerAssigned,
  sameMembers,
  uniqueIds,
} from '../../../src/domain/assignment.ts';
import { AppError } from '../../../src/domain/errors.ts';

// More of the pure R15/R17/R18/R34 rules in src/domain/assignment.ts: refusals and the system lines.
const group = { groupId: 'g1', groupName: 'Support' };
const alice = { id: 'u-alice', name: 'Alice', active: true, groupIds: ['g1'] };
const bob = { id: 'u-bob', name: 'Bob', active: true, groupIds: ['g1'] };
const carol = { id: 'u-carol', name: 'Carol', active: true, groupIds: ['g2'] };
const gus = { id: 'u-gus', name: 'Gus', active: false, groupIds: ['g1'] };
const ada = { id: 'u-ada', name: 'Ada', active: true, groupIds: ['g1'], role: 'admin' as const };

function thrown(fn: () => void): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('assignment refusals', () => {
  it('R15: an unknown user id is refused as a rule violation that names the id, never another account', () => {
    const error = thrown(() => assertGroupMembers(group, [alice.id, 'u-ghost'], [alice], 'R15', 'assigned'));
    expect(error.code).toBe('rule_violation');
    expect(error.message).toBe('No user of Support has the id u-ghost. Pick users of the group.');
    expect(error.details).toEqual({ rule: 'R15', userIds: ['u-ghost'] });
    expect(thrown(() => assertGroupMembers(group, ['u-x', 'u-y'], [], 'R15', 'assigned')).message).toBe(
      'No user of Support has the id u-x, u-y. Pick users of the group.',
    );
  });

  it('R17: one user outside the group is named with the purpose of the list, under the rule asked for', () => {
    const error = thrown(() => assertGroupMembers(group, [carol.id], [carol], 'R17', 'given access'));
    expect(error.code).toBe('rule_violation');
    expect(error.message).toBe(
      'Carol is not an active user of Support, so they cannot be given access. Pick users of the group.',
    );
    expect(error.details).toEqual({ rule: 'R17', userIds: [carol.id] });
  });

  it('R15: an inactive member of the group is refused even though the group is theirs', () => {
    const error = thrown(() => assertGroupMembers(group, [gus.id], [gus], 'R15', 'assigned'));
    expect(error.details).toEqual({ rule: 'R15', userIds: [gus.id] });
  });

  it('R18: an assignee off the list is refused with the R18 reason; several are named together', () => {
    const one = thrown(() => assertAssigneesCanSee([alice.id], [bob]));
    expect(one.code).toBe('rule_violation');
    expect(one.message).toBe(
      'Bob is not on the list of users this conversation is restricted to, so cannot be assigned. Add them to the visible list first, or pick someone on it.',
    );
    const two = thrown(() => assertAssigneesCanSee([alice.id], [bob, carol, alice]));
    expect(two.message).toMatch(/^Bob and Carol are not on the list/);
    expect(two.details).toEqual({ rule: 'R18', userIds: [bob.id, carol.id] });
  });

  it("R18/R34: on a list that emptied, the group's admins may be assigned and agents may not", () => {
    expect(() => assertAssigneesCanSee([], [ada])).not.toThrow();
    expect(thrown(() => assertAssigneesCanSee([], [ada, alice])).details).toEqual({
      rule: 'R18',
      userIds: [alice.id],
    });
    // On a list that still has users, being an admin is not enough.
    expect(thrown(() => assertAssigneesCanSee([bob.id], [ada])).details).toEqual({
      rule: 'R18',
      userIds: [ada.id],
    });
  });
});

describe('assignment lists and lines', () => {
  it('lists no names as an empty string', () => {
    expect(listNames([])).toBe('');
  });

  it('R15: the requested list is deduplicated in order and compared as a set', () => {
    expect(uniqueIds(['b', 'a', 'b', 'c', 'a'])).toEqual(['b', 'a', 'c']);
    expect(sameMembers(['a', 'b'], ['b', 'a'])).toBe(true);
    expect(sameMembers(['a', 'b'], ['a'])).toBe(false);
    expect(sameMembers(['a'], ['a', 'b'])).toBe(false);
    expect(sameMembers(['a', 'b'], ['a', 'c'])).toBe(false);
    expect(sameMembers([], [])).toBe(true);
  });

  it('R15: an unassignment with nobody left says so; the actor is "themselves" among the assignees', () => {
    expect(assignmentLine(ada, [], [])).toBe('Ada unassigned this conversation');
    expect(assignmentLine(ada, [alice, ada], [bob, carol])).toBe(
      'Ada assigned Alice and themselves; Bob and Carol are no longer assigned',
    );
    expect(noLongerAssigned(['Bob'])).toBe('Bob is no longer assigned');
    expect(noLongerAssigned(['Bob', 'Carol'])).toBe('Bob and Carol are no longer assigned');
  });

  it('R34: leaving a group withdraws assignment and the list, and says when the list is now empty', () => {
    expect(
      accessWithdrawnLine(
        'Carol',
        { kind: 'left', groupName: 'Support' },
        { assigned: true, listed: true, listEmptied: true },
      ),
    ).toBe(
      "Carol left Support: no longer assigned, no longer on the list of users who see this conversation; the list is now empty, so only the group's admins see this conversation",
    );
  });

  it('R34: a deactivated user is named as such, with only what they lost', () => {
    expect(
      accessWithdrawnLine(
        'Carol',
        { kind: 'deactivated' },
        { assigned: true, listed: false, listEmptied: false },
      ),
    ).toBe('Carol was deactivated: no longer assigned');
    expect(
      accessWithdrawnLine(
        'Carol',
        { kind: 'left', groupName: 'Sales' },
        { assigned: false, listed: true, listEmptied: false },
      ),
    ).toBe('Carol left Sales: no longer on the list of users who see this conversation');
  });
});
