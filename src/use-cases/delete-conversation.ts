import { Checkout, type Conversation, Invoice, Message, ReadState } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { assertCanDelete, assertNoUnpaidInvoices } from '../domain/lifecycle.ts';
import { unpaidInvoiceReferences } from './close-conversation.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';
import { loadActingUser, loadConversationFor, toViewer } from './load.ts';
import { type ConversationIdInput, conversationIdInput } from './management-support.ts';
import { audit } from './timeline.ts';

export interface DeleteResult {
  conversationId: string;
  number: number;
  removed: { messages: number; invoices: number; checkouts: number };
}

/**
 * R6/R24: an admin deletes a conversation and everything in it: messages, notes (with their
 * attachments' metadata), invoices, checkouts and read markers are removed here. The conversation
 * row stays as a `deleted` tombstone with its surface threads, so the mirror worker can still find
 * the Slack/Teams threads and remove them; the audit trail keeps that it was deleted and by whom.
 * An admin may delete a restricted conversation they are not on the list of: deleting reveals nothing.
 */
export async function deleteConversation(
  ctx: UseCaseContext,
  actor: Actor,
  input: ConversationIdInput,
): Promise<WithEvents<DeleteResult>> {
  const { conversationId } = parseInput(conversationIdInput, input);
  return inTransaction(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const conv = await loadConversationFor(tx, user, conversationId, { allowExistenceOnly: true });
    assertCanDelete(toViewer(user), conv);
    assertNoUnpaidInvoices(conv, await unpaidInvoiceReferences(tx, conv), 'delete');

    const where = { conversation: conv.id };
    // The stored bytes go too, once this commits (the purge-files job).
    const files = await tx.getConnection().execute<{ key: string }[]>(
      `select a->>'storageKey' as key from message m, jsonb_array_elements(m.attachments) a
         where m.conversation_id = ? and a->>'storageKey' is not null`,
      [conv.id],
      'all',
      tx.getTransactionContext(),
    );
    const removed = {
      messages: await tx.nativeDelete(Message, where),
      invoices: await tx.nativeDelete(Invoice, where),
      checkouts: await tx.nativeDelete(Checkout, where),
    };
    await tx.nativeDelete(ReadState, where);
    tombstone(conv);
    audit(
      tx,
      conv.account,
      actor,
      'conversation.deleted',
      conv.id,
      { number: conv.number, by: user.name, removed },
      now,
    );
    record({
      type: 'conversation.deleted',
      conversationId: conv.id,
      groupId: conv.group.id,
      number: conv.number,
      storageKeys: files.map((f) => f.key),
    });
    return { conversationId: conv.id, number: conv.number, removed };
  });
}

/** What remains of a deleted conversation: its number, group and contact link, and nothing to work on. */
function tombstone(conv: Conversation): void {
  conv.status = 'deleted';
  conv.assigneeIds = [];
  conv.unrepliedCount = 0;
  conv.oldestUnrepliedAt = null;
  // Its SLA waits go with it from the figures (deleted conversations are counted nowhere).
  conv.humanWaitingSince = null;
  conv.slaBreachedAt = null;
  conv.aiState = 'off';
  conv.aiHandoffAt = null;
}
