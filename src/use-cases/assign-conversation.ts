import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Conversation, User } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import {
  assertAssigneesCanSee,
  assertGroupMembers,
  assignmentLine,
  sameMembers,
  uniqueIds,
} from '../domain/assignment.ts';
import type { DomainEvent } from '../domain/events.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';
import { loadActingUser, loadConversationFor } from './load.ts';
import {
  type ConversationIdInput,
  conversationIdInput,
  groupFacts,
  loadCandidates,
  loadGroupOf,
  recordUserChange,
} from './management-support.ts';

/**
 * R15/R18: set who is responsible for a conversation. The input is the full new list, so
 * reassigning transfers it (old assignees leave their My inbox, new ones enter theirs) and an
 * empty list unassigns.
 */
export const assignConversationInput = z.strictObject({
  conversationId: z.uuid(),
  assigneeIds: z.array(z.uuid()).max(50),
});
export type AssignConversationInput = z.input<typeof assignConversationInput>;

export interface AssignResult {
  conversation: Conversation;
  /** False when the list was already the requested one (nothing written). */
  changed: boolean;
}

export async function assignConversation(
  ctx: UseCaseContext,
  actor: Actor,
  input: AssignConversationInput,
): Promise<WithEvents<AssignResult>> {
  const { conversationId, assigneeIds } = parseInput(assignConversationInput, input);
  return inTransaction(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const conv = await loadConversationFor(tx, user, conversationId);
    return setAssignees(tx, record, now, actor, user, conv, () => uniqueIds(assigneeIds));
  });
}

/** R15 convenience ("Assign to me"): adds the acting user to the current assignees. */
export async function assignToMe(
  ctx: UseCaseContext,
  actor: Actor,
  input: ConversationIdInput,
): Promise<WithEvents<AssignResult>> {
  const { conversationId } = parseInput(conversationIdInput, input);
  return inTransaction(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const conv = await loadConversationFor(tx, user, conversationId);
    return setAssignees(tx, record, now, actor, user, conv, (current) => uniqueIds([...current, user.id]));
  });
}

/** R15: nobody is assigned any more; the conversation counts as unassigned again (R26). */
export async function unassign(
  ctx: UseCaseContext,
  actor: Actor,
  input: ConversationIdInput,
): Promise<WithEvents<AssignResult>> {
  const { conversationId } = parseInput(conversationIdInput, input);
  return assignConversation(ctx, actor, { conversationId, assigneeIds: [] });
}

async function setAssignees(
  tx: EntityManager,
  record: (...events: DomainEvent[]) => void,
  now: Date,
  actor: Actor,
  user: User,
  conv: Conversation,
  next: (current: readonly string[]) => string[],
): Promise<AssignResult> {
  const before = [...conv.assigneeIds];
  const after = next(before);
  if (sameMembers(before, after)) return { conversation: conv, changed: false };

  const group = await loadGroupOf(tx, conv);
  const requested = await loadCandidates(tx, after);
  assertGroupMembers(groupFacts(group), after, requested, 'R15', 'assigned');
  assertAssigneesCanSee(conv.visibleToIds ?? null, requested);

  const removedIds = before.filter((id) => !after.includes(id));
  const removed = await loadCandidates(tx, removedIds);
  conv.assigneeIds = after;
  // assertGroupMembers found every requested user; keep the order the user gave.
  const byId = (users: typeof requested) => (id: string) => users.filter((u) => u.id === id);
  const text = assignmentLine(user, after.flatMap(byId(requested)), removedIds.flatMap(byId(removed)));
  await recordUserChange(tx, record, {
    conv,
    user,
    actor,
    action: 'conversation.assigned',
    text,
    change: 'assigned',
    data: { assigneeIds: after, removedIds },
    now,
  });
  return { conversation: conv, changed: true };
}
