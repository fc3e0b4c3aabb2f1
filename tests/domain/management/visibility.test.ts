import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../../src/domain/actor.ts';
import {
  assigneesWithin,
  canKnowExists,
  canSee,
  inheritedVisibility,
  isMember,
  mayView,
  normalizeVisibleTo,
  withoutUser,
} from '../../../src/domain/visibility.ts';

// The pure visibility rules; the use-case and query tests check the same rules through the database.
const admin: Viewer = { id: 'u-ada', accountId: 'a', role: 'admin', groupIds: ['g1'] };
const alice: Viewer = { id: 'u-alice', accountId: 'a', role: 'agent', groupIds: ['g1'] };
const bob: Viewer = { id: 'u-bob', accountId: 'a', role: 'agent', groupIds: ['g1', 'g2'] };
const outsider: Viewer = { id: 'u-olga', accountId: 'a', role: 'admin', groupIds: ['g2'] };

const whole = { groupId: 'g1', visibleToIds: null };
const toAlice = { groupId: 'g1', visibleToIds: ['u-alice'] };
const emptied = { groupId: 'g1', visibleToIds: [] as string[] };

describe('visibility rules', () => {
  it('R17: a whole-group conversation is seen by every member of the group, and by nobody outside it', () => {
    expect(isMember(alice, 'g1')).toBe(true);
    expect(isMember(outsider, 'g1')).toBe(false);
    expect(canSee(alice, whole)).toBe(true);
    expect(canSee(admin, whole)).toBe(true);
    expect(canSee(outsider, whole)).toBe(false);
  });

  it('R17: a restricted conversation is seen only by the users on its list, admins of the group included', () => {
    expect(canSee(alice, toAlice)).toBe(true);
    expect(canSee(bob, toAlice)).toBe(false);
    expect(canSee(admin, toAlice)).toBe(false);
    // Being on the list is not enough without membership of the conversation's group.
    expect(canSee({ ...outsider, id: 'u-alice' }, toAlice)).toBe(false);
  });

  it("R34: a list that emptied stays restricted: the group's admins see it, agents and outside admins do not", () => {
    expect(canSee(admin, emptied)).toBe(true);
    expect(canSee(alice, emptied)).toBe(false);
    expect(canSee(outsider, emptied)).toBe(false);
  });

  it('R17: anyone in the group may know that a restricted conversation exists; nobody outside it may', () => {
    expect(canKnowExists(bob, toAlice)).toBe(true);
    expect(canKnowExists(outsider, toAlice)).toBe(false);
  });

  it('R34: mirrors and notifications show a conversation only to active users who may see it', () => {
    expect(mayView({ ...alice, active: true }, toAlice)).toBe(true);
    expect(mayView({ ...alice, active: false }, toAlice)).toBe(false);
    expect(mayView({ ...bob, active: true }, toAlice)).toBe(false);
  });

  it('R17: the restricting user is always on the list; duplicates go, the order stays', () => {
    expect(normalizeVisibleTo(['u-bob', 'u-alice', 'u-bob'], 'u-ada')).toEqual(['u-ada', 'u-bob', 'u-alice']);
    expect(normalizeVisibleTo(['u-bob', 'u-ada'], 'u-ada')).toEqual(['u-ada', 'u-bob']);
    expect(normalizeVisibleTo([], 'u-ada')).toEqual(['u-ada']);
  });

  it('R18: narrowing the list drops the assignees outside it; opening it to the group keeps them all', () => {
    expect(assigneesWithin(['u-alice', 'u-bob'], ['u-bob', 'u-ada'])).toEqual(['u-bob']);
    expect(assigneesWithin(['u-alice', 'u-bob'], [])).toEqual([]);
    const assignees = ['u-alice', 'u-bob'];
    const kept = assigneesWithin(assignees, null);
    expect(kept).toEqual(['u-alice', 'u-bob']);
    expect(kept).not.toBe(assignees);
  });

  it('R19/R34: a new conversation is open to the group only when nothing restricted the contact', () => {
    const everyone = () => true;
    expect(inheritedVisibility([], everyone)).toBeNull();
    expect(inheritedVisibility([null, undefined], everyone)).toBeNull();
  });

  it('R19/R34: every restriction that applies is kept: the lists are merged and only eligible users stay', () => {
    const eligible = (id: string) => id !== 'u-gone';
    expect(inheritedVisibility([['u-alice', 'u-gone'], null, ['u-bob', 'u-alice']], eligible)).toEqual([
      'u-alice',
      'u-bob',
    ]);
  });

  it("R34: a restriction whose users are all gone leaves an empty list (the group's admins), never the whole group", () => {
    expect(inheritedVisibility([['u-gone']], () => false)).toEqual([]);
    expect(inheritedVisibility([[]], () => true)).toEqual([]);
  });

  it('R34: a user who leaves is taken off the assignees and the list, which stays a list when it empties', () => {
    expect(withoutUser({ assigneeIds: ['u-alice', 'u-bob'], visibleToIds: ['u-alice'] }, 'u-alice')).toEqual({
      assigneeIds: ['u-bob'],
      visibleToIds: [],
      changed: true,
    });
    expect(withoutUser({ assigneeIds: ['u-alice'], visibleToIds: null }, 'u-alice')).toEqual({
      assigneeIds: [],
      visibleToIds: null,
      changed: true,
    });
  });

  it('R34: the change is noticed when the user was only on the list, and not at all when they were on neither', () => {
    expect(withoutUser({ assigneeIds: ['u-bob'], visibleToIds: ['u-alice', 'u-bob'] }, 'u-alice')).toEqual({
      assigneeIds: ['u-bob'],
      visibleToIds: ['u-bob'],
      changed: true,
    });
    expect(withoutUser({ assigneeIds: ['u-bob'], visibleToIds: ['u-bob'] }, 'u-alice').changed).toBe(false);
    expect(withoutUser({ assigneeIds: [], visibleToIds: null }, 'u-alice').changed).toBe(false);
  });
});
