import type { Viewer } from './actor.ts';

/** The facts about a conversation that visibility rules look at. */
export interface VisibilityFacts {
  groupId: string;
  visibleToIds: readonly string[] | null;
}

export const isMember = (viewer: Viewer, groupId: string) => viewer.groupIds.includes(groupId);

/** R17: whole-group conversations are seen by the group; restricted ones only by their list. */
export function canSee(viewer: Viewer, conv: VisibilityFacts): boolean {
  if (!isMember(viewer, conv.groupId)) return false;
  return conv.visibleToIds === null || conv.visibleToIds.includes(viewer.id);
}

/** R17: whether the viewer may know the conversation exists at all (its number, that it is restricted). */
export const canKnowExists = (viewer: Viewer, conv: VisibilityFacts) => isMember(viewer, conv.groupId);

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
