import { AppError } from './errors.ts';

/**
 * R15/R18 as pure rules: who may be assigned to a conversation, and the system lines that tell the
 * team what changed. The use-case loads the users; nothing here touches the database.
 */

/** The facts about a candidate user that assignment and visibility rules look at. */
export interface Candidate {
  id: string;
  name: string;
  active: boolean;
  groupIds: readonly string[];
  role?: 'admin' | 'agent';
}

export interface GroupFacts {
  groupId: string;
  groupName: string;
}

/** "Alice", "Alice and Bob", "Alice, Bob and Carol". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * R15/R17: every listed user must be an active user of the conversation's group. Unknown ids are
 * refused too (they may belong to another account, which must not be confirmed).
 */
export function assertGroupMembers(
  group: GroupFacts,
  requestedIds: readonly string[],
  found: readonly Candidate[],
  rule: 'R15' | 'R17' | 'R19',
  purpose: string,
): void {
  const byId = new Map(found.map((u) => [u.id, u]));
  const unknown = requestedIds.filter((id) => !byId.has(id));
  if (unknown.length > 0) {
    throw new AppError(
      'rule_violation',
      `No user of ${group.groupName} has the id ${unknown.join(', ')}. Pick users of the group.`,
      {
        rule,
        userIds: unknown,
      },
    );
  }
  const outside = requestedIds
    .map((id) => byId.get(id)!)
    .filter((u) => !u.active || !u.groupIds.includes(group.groupId));
  if (outside.length > 0) {
    const names = listNames(outside.map((u) => u.name));
    const verb = outside.length === 1 ? 'is not an active user' : 'are not active users';
    throw new AppError(
      'rule_violation',
      `${names} ${verb} of ${group.groupName}, so they cannot be ${purpose}. Pick users of the group.`,
      {
        rule,
        userIds: outside.map((u) => u.id),
      },
    );
  }
}

/** R18: on a restricted conversation, assignees must be on the visible list. */
export function assertAssigneesCanSee(
  visibleToIds: readonly string[] | null,
  assignees: readonly Candidate[],
): void {
  if (visibleToIds === null) return;
  // R34: a list that emptied leaves the conversation to the group's admins; they may be assigned.
  const sees = (u: Candidate) =>
    visibleToIds.includes(u.id) || (visibleToIds.length === 0 && u.role === 'admin');
  const hidden = assignees.filter((u) => !sees(u));
  if (hidden.length === 0) return;
  const names = listNames(hidden.map((u) => u.name));
  const verb = hidden.length === 1 ? 'is not' : 'are not';
  throw new AppError(
    'rule_violation',
    `${names} ${verb} on the list of users this conversation is restricted to, so cannot be assigned. Add them to the visible list first, or pick someone on it.`,
    { rule: 'R18', userIds: hidden.map((u) => u.id) },
  );
}

/** Duplicates removed, order kept. */
export const uniqueIds = (ids: readonly string[]): string[] => [...new Set(ids)];

export const sameMembers = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((id) => b.includes(id));

/** The name shown for a user in a line written by `actorId` ("themselves" for the actor). */
const nameFor = (actorId: string) => (u: { id: string; name: string }) =>
  u.id === actorId ? 'themselves' : u.name;

/**
 * The system line for an assignment change (R15), naming the full new list and who left it:
 * "Ada assigned Alice and Bob", "Ada assigned themselves; Bob is no longer assigned", "Ada unassigned Alice".
 */
export function assignmentLine(
  actor: { id: string; name: string },
  assigned: readonly { id: string; name: string }[],
  removed: readonly { id: string; name: string }[],
): string {
  const name = nameFor(actor.id);
  if (assigned.length === 0) {
    return removed.length > 0
      ? `${actor.name} unassigned ${listNames(removed.map(name))}`
      : `${actor.name} unassigned this conversation`;
  }
  const line = `${actor.name} assigned ${listNames(assigned.map(name))}`;
  return removed.length > 0 ? `${line}; ${noLongerAssigned(removed.map((u) => u.name))}` : line;
}

export const noLongerAssigned = (names: readonly string[]) =>
  `${listNames(names)} ${names.length === 1 ? 'is' : 'are'} no longer assigned`;

/**
 * The system line for a visibility change (R17, R18): "Ada restricted this conversation to Ada, Alice;
 * Bob is no longer assigned", or "Ada made this conversation visible to the whole group".
 */
export function visibilityLine(
  actorName: string,
  visibleTo: readonly string[] | null,
  droppedAssignees: readonly string[],
): string {
  const line =
    visibleTo === null
      ? `${actorName} made this conversation visible to the whole group`
      : `${actorName} restricted this conversation to ${visibleTo.join(', ')}`;
  return droppedAssignees.length > 0 ? `${line}; ${noLongerAssigned(droppedAssignees)}` : line;
}

/**
 * The system line when a user leaves a conversation's lists because they left its group or were
 * deactivated (R34): "Carol left Support: no longer assigned, no longer on the list; the list is
 * now empty, so only the group's admins see this conversation".
 */
export function accessWithdrawnLine(
  userName: string,
  reason: { kind: 'left'; groupName: string } | { kind: 'deactivated' },
  was: { assigned: boolean; listed: boolean; listEmptied: boolean },
): string {
  const who = reason.kind === 'left' ? `${userName} left ${reason.groupName}` : `${userName} was deactivated`;
  const parts = [
    ...(was.assigned ? ['no longer assigned'] : []),
    ...(was.listed ? ['no longer on the list of users who see this conversation'] : []),
  ];
  const line = `${who}: ${parts.join(', ')}`;
  return was.listEmptied
    ? `${line}; the list is now empty, so only the group's admins see this conversation`
    : line;
}
