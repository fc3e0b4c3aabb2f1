import { z } from 'zod';
import type { Conversation } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { assertGroupMembers, sameMembers, visibilityLine } from '../domain/assignment.ts';
import { assigneesWithin, normalizeVisibleTo } from '../domain/visibility.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';
import { loadActingUser, loadConversationFor } from './load.ts';
import { groupFacts, loadCandidates, loadGroupOf, namesOf, recordUserChange } from './management-support.ts';

/**
 * R17/R18/R19: restrict a conversation to a list of users of its group (client confidentiality),
 * or open it to the whole group again (`visibleToIds: null`). Works whatever the conversation
 * holds so far: inbound messages, or only an outbound message.
 */
export const restrictVisibilityInput = z.strictObject({
  conversationId: z.uuid(),
  visibleToIds: z.array(z.uuid()).max(200).nullable(),
});
export type RestrictVisibilityInput = z.input<typeof restrictVisibilityInput>;

export interface RestrictResult {
  conversation: Conversation;
  /** Assignees who fell outside the new list and were unassigned (R18). */
  droppedAssigneeIds: string[];
  changed: boolean;
}

export async function restrictVisibility(
  ctx: UseCaseContext,
  actor: Actor,
  input: RestrictVisibilityInput,
): Promise<WithEvents<RestrictResult>> {
  const parsed = parseInput(restrictVisibilityInput, input);
  return inTransaction(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const conv = await loadConversationFor(tx, user, parsed.conversationId);
    // R17: the user who restricts it is always on the list.
    const visibleTo = parsed.visibleToIds === null ? null : normalizeVisibleTo(parsed.visibleToIds, user.id);
    const before = conv.visibleToIds ?? null;
    const unchanged =
      before === null || visibleTo === null ? before === visibleTo : sameMembers(before, visibleTo);
    if (unchanged) return { conversation: conv, droppedAssigneeIds: [], changed: false };

    const listed = await loadCandidates(tx, visibleTo ?? []);
    if (visibleTo)
      assertGroupMembers(groupFacts(await loadGroupOf(tx, conv)), visibleTo, listed, 'R17', 'given access');

    // R18: narrowing the list unassigns whoever falls outside it.
    const assignees = assigneesWithin(conv.assigneeIds, visibleTo);
    const droppedIds = conv.assigneeIds.filter((id) => !assignees.includes(id));
    const dropped = await loadCandidates(tx, droppedIds);
    conv.visibleToIds = visibleTo;
    conv.assigneeIds = assignees;

    const text = visibilityLine(
      user.name,
      visibleTo && namesOf(visibleTo, listed),
      namesOf(droppedIds, dropped),
    );
    await recordUserChange(tx, record, {
      conv,
      user,
      actor,
      action: 'conversation.visibility',
      text,
      change: droppedIds.length > 0 ? ['visibility', 'assigned'] : 'visibility',
      data: { visibleToIds: visibleTo, droppedAssigneeIds: droppedIds },
      now,
    });
    return { conversation: conv, droppedAssigneeIds: droppedIds, changed: true };
  });
}
