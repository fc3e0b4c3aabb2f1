import type { Viewer } from './actor.ts';

/**
 * R17/R34 as pure rules. A conversation's `visibleToIds` is `null` (the whole group may see it) or
 * a list; an empty list still restricts: the group's admins see it (R34, a list that empties never
 * opens the conversation to the group).
 */
export interface VisibilityFacts {
  groupId: string;
  visibleToIds: readonly string[] | null;
}

export const isMember = (viewer: Viewer, groupId: string) => viewer.groupIds.includes(groupId);

/** R17: whole-group conversations are seen by the group; restricted ones only by their list. */
export function canSee(viewer: Viewer, conv: VisibilityFacts): boolean {
  if (!isMember(viewer, conv.groupId)) return false;
  const list = conv.visibleToIds;
  if (list === null) return true;
  return list.includes(viewer.id) || (list.length === 0 && viewer.role === 'admin');
}

/** R17: whether the viewer may know the conversation exists at all (its number, that it is restricted). */
export const canKnowExists = (viewer: Viewer, conv: VisibilityFacts) => isMember(viewer, conv.groupId);

/** A user as the mirror and notifications see them: `canSee`, and only while active. */
export const mayView = (user: Viewer & { active: boolean }, conv: VisibilityFacts) =>
  user.active && canSee(user, conv);

/** R17: the restricting user is always on the list; duplicates removed, order kept. */
export function normalizeVisibleTo(list: readonly string[], restrictedBy: string): string[] {
  return [...new Set([restrictedBy, ...list])];
}

/** R18: assignees outside the visible list fall away when the list narrows. */
export function assigneesWithin(
  assigneeIds: readonly string[],
  visibleToIds: readonly string[] | null,
): string[] {
  if (visibleToIds === null) return [...assigneeIds];
  return assigneeIds.filter((id) => visibleToIds.includes(id));
}

/**
 * R19/R34: the list a new conversation of a contact starts with. Every restriction that applies
 * (the contact's defaults, the contact's previous conversation in the group when it was
 * restricted, the closed conversation a reply was written in) is kept: the lists are merged, and
 * only users who may be on a list of the group (`eligible`) stay. When something restricted the
 * contact but nobody eligible is left, the list is empty: the group's admins see it.
 */
export function inheritedVisibility(
  restrictions: readonly (readonly string[] | null | undefined)[],
  eligible: (userId: string) => boolean,
): string[] | null {
  const lists = restrictions.filter((l): l is readonly string[] => Array.isArray(l));
  if (lists.length === 0) return null;
  return [...new Set(lists.flat())].filter(eligible);
}

/**
 * R34: what a user's leaving a group (or deactivation) does to one of the group's conversations:
 * they leave its assignees and its list. The list may empty; it stays a (restricting) list.
 */
export function withoutUser(
  conv: { assigneeIds: readonly string[]; visibleToIds: readonly string[] | null },
  userId: string,
): { assigneeIds: string[]; visibleToIds: string[] | null; changed: boolean } {
  const assigneeIds = conv.assigneeIds.filter((id) => id !== userId);
  const visibleToIds = conv.visibleToIds === null ? null : conv.visibleToIds.filter((id) => id !== userId);
  const changed =
    assigneeIds.length !== conv.assigneeIds.length ||
    (visibleToIds?.length ?? 0) !== (conv.visibleToIds?.length ?? 0);
  return { assigneeIds, visibleToIds, changed };
}
