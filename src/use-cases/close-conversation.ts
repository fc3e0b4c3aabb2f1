import type { EntityManager } from '@mikro-orm/postgresql';
import { type Conversation, Invoice } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import {
  aiStateAfterClose,
  assertCanClose,
  assertNoUnpaidInvoices,
  closedLine,
} from '../domain/lifecycle.ts';
import { dropPendingDrafts } from './ai-drafts.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { markCsatDue } from './csat-ask.ts';
import { parseInput } from './input.ts';
import { loadActingUser, loadConversationFor, toViewer } from './load.ts';
import {
  type ConversationIdInput,
  conversationIdInput,
  loadGroupOf,
  recordUserChange,
} from './management-support.ts';
import { endSlaWait } from './sla-waits.ts';

/**
 * R20/R21: an assignee or an admin closes a conversation once nothing is owed on it. Messages
 * stay; the closed filter finds it (R20) and the contact's next message opens a new one (R22).
 */
export async function closeConversation(
  ctx: UseCaseContext,
  actor: Actor,
  input: ConversationIdInput,
): Promise<WithEvents<{ conversation: Conversation }>> {
  const { conversationId } = parseInput(conversationIdInput, input);
  return inTransaction(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const conv = await loadConversationFor(tx, user, conversationId);
    assertCanClose(toViewer(user), conv);
    assertNoUnpaidInvoices(conv, await unpaidInvoiceReferences(tx, conv), 'close');

    const group = await loadGroupOf(tx, conv);
    conv.status = 'closed';
    conv.closedAt = now;
    // R14: closing ends an AI handoff; the AI answers again next time where the group has one.
    conv.aiState = aiStateAfterClose(group.aiAgent?.enabled === true);
    conv.aiHandoffAt = null;
    await endSlaWait(tx, conv, now, 'close');
    await dropPendingDrafts(tx, record, conv);

    const text = closedLine(user.name);
    await recordUserChange(tx, record, {
      conv,
      user,
      actor,
      action: 'conversation.closed',
      text,
      change: 'closed',
      now,
    });
    // R42: asked once, after the close is committed (the csat job).
    await markCsatDue(tx, record, conv, group, now);
    return { conversation: conv };
  });
}

/** R21/R24: references of the conversation's unpaid invoices, oldest first. */
export async function unpaidInvoiceReferences(tx: EntityManager, conv: Conversation): Promise<string[]> {
  const unpaid = await tx.find(
    Invoice,
    { conversation: conv.id, status: 'unpaid' },
    { orderBy: { createdAt: 'asc', reference: 'asc' } },
  );
  return unpaid.map((i) => i.reference);
}
