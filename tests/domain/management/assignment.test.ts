import { describe, expect, it } from 'vitest';
import {
  assertAssigneesCanSee,
  assertGroupMembers,
  assignmentLine,
  listNames,
  visibilityLine,
} from '../../../src/domain/assignment.ts';
import { AppError } from '../../../src/domain/errors.ts';

const group = { groupId: 'g1', groupName: 'Support' };
const alice = { id: 'u-alice', name: 'Alice', active: true, groupIds: ['g1'] };
const bob = { id: 'u-bob', name: 'Bob', active: true, groupIds: ['g1'] };
const carol = { id: 'u-carol', name: 'Carol', active: true, groupIds: ['g2'] };
const gus = { id: 'u-gus', name: 'Gus', active: false, groupIds: ['g1'] };

function thrown(fn: () => void): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('assignment rules', () => {
  it('lists names the way a sentence does', () => {
    expect(listNames(['Alice'])).toBe('Alice');
    expect(listNames(['Alice', 'Bob'])).toBe('Alice and Bob');
    expect(listNames(['Alice', 'Bob', 'Carol'])).toBe('Alice, Bob and Carol');
  });

  it('R15: active users of the group may be assigned', () => {
    expect(() =>
      assertGroupMembers(group, [alice.id, bob.id], [alice, bob], 'R15', 'assigned'),
    ).not.toThrow();
  });

  it('R15: users outside the group or inactive are refused, all of them named', () => {
    const error = thrown(() =>
      assertGroupMembers(group, [alice.id, carol.id, gus.id], [alice, carol, gus], 'R15', 'assigned'),
    );
    expect(error.code).toBe('rule_violation');
    expect(error.message).toMatch(/^Carol and Gus are not active users of Support/);
    expect(error.details).toEqual({ rule: 'R15', userIds: [carol.id, gus.id] });
  });

  it('R15: an unknown user id is refused', () => {
    const error = thrown(() => assertGroupMembers(group, ['u-ghost'], [], 'R15', 'assigned'));
    expect(error.details?.userIds).toEqual(['u-ghost']);
  });

  it('R18: on a restricted conversation only users on the list may be assigned', () => {
    expect(() => assertAssigneesCanSee(null, [alice, bob])).not.toThrow();
    expect(() => assertAssigneesCanSee([alice.id, bob.id], [alice, bob])).not.toThrow();
    const error = thrown(() => assertAssigneesCanSee([alice.id], [alice, bob]));
    expect(error.details).toEqual({ rule: 'R18', userIds: [bob.id] });
    expect(error.message).toContain('Bob is not on the list');
  });

  it('R15: the assignment line names the new assignees and who left', () => {
    const ada = { id: 'u-ada', name: 'Ada' };
    expect(assignmentLine(ada, [alice, bob], [])).toBe('Ada assigned Alice and Bob');
    expect(assignmentLine(ada, [ada], [alice])).toBe('Ada assigned themselves; Alice is no longer assigned');
    expect(assignmentLine(ada, [], [alice, bob])).toBe('Ada unassigned Alice and Bob');
  });

  it('R18: the visibility line says who can see it and who is no longer assigned', () => {
    expect(visibilityLine('Ada', ['Ada', 'Alice'], [])).toBe(
      'Ada restricted this conversation to Ada, Alice',
    );
    expect(visibilityLine('Ada', ['Ada'], ['Bob'])).toBe(
      'Ada restricted this conversation to Ada; Bob is no longer assigned',
    );
    expect(visibilityLine('Ada', null, [])).toBe('Ada made this conversation visible to the whole group');
  });
});
