import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Conversation } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import { assertCanReopen, reopenedLine } from '../domain/lifecycle.ts';
import { canSee } from '../domain/visibility.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';
import { loadActingUser, loadConversationFor, toViewer } from './load.ts';
import { type ConversationIdInput, conversationIdInput, recordUserChange } from './management-support.ts';

/**
 * R23: a closed conversation becomes the contact's open conversation in its group again, so later
 * messages to and from the contact join it. There is at most one open conversation per contact
 * and group (R2/R22): while another is open, reopening is refused, naming it.
 */
export async function reopenConversation(
  ctx: UseCaseContext,
  actor: Actor,
  input: ConversationIdInput,
): Promise<WithEvents<{ conversation: Conversation }>> {
  const { conversationId } = parseInput(conversationIdInput, input);
  return inTransaction(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const conv = await loadConversationFor(tx, user, conversationId);
    const otherOpen = await tx.findOne(
      Conversation,
      { contact: conv.contact.id, group: conv.group.id, status: 'open', id: { $ne: conv.id } },
      { fields: ['id', 'number', 'visibleToIds'] },
    );
    const visible =
      !!otherOpen &&
      canSee(toViewer(user), { groupId: conv.group.id, visibleToIds: otherOpen.visibleToIds ?? null });
    assertCanReopen(conv, otherOpen && { id: otherOpen.id, number: otherOpen.number, visible });

    conv.status = 'open';
    conv.closedAt = null;
    try {
      // Flush here so a conversation opened concurrently (inbound message) is caught by the
      // one-open-per-contact index and answered like the check above.
      await tx.flush();
    } catch (e) {
      if (!(e instanceof UniqueConstraintViolationException)) throw e;
      throw new AppError(
        'conflict',
        `Conversation #${conv.number} cannot be reopened: the contact has just opened another conversation in this group. Continue there.`,
        { rule: 'R23' },
      );
    }
    const text = reopenedLine(user.name);
    await recordUserChange(tx, record, {
      conv,
      user,
      actor,
      action: 'conversation.reopened',
      text,
      change: 'reopened',
      now,
    });
    return { conversation: conv };
  });
}
