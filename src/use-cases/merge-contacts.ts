import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { BroadcastRecipient, Contact, ContactIdentity, Conversation, Group } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import { aiStateAfterClose } from '../domain/lifecycle.ts';
import { unpaidInvoiceReferences } from './close-conversation.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';
import { loadActingUser } from './load.ts';
import { markHeadersDirty } from './management-support.ts';
import { endSlaWait } from './sla-waits.ts';
import { appendSystemLine, audit } from './timeline.ts';

const mergeSchema = z
  .object({ keepId: z.uuid(), mergeId: z.uuid() })
  .refine(
    (m) => m.keepId !== m.mergeId,
    'Name two different contacts: a contact cannot be merged into itself.',
  );

export interface MergeResult {
  keptId: string;
  /** Conversations that moved to the kept contact. */
  moved: number;
  /** Conversations closed because both contacts had one open in the same group (the rule below). */
  closed: { conversationId: string; number: number; continuesIn: number }[];
}

/**
 * R43: an admin merges two contacts that are one person (WhatsApp and SMS, a webchat visitor who
 * later signed in). The merged contact's identities, conversations and broadcast history move to
 * the kept one, which then has both's tags, opt-outs (an opt-out is never lost) and default
 * assignees, its own name and portal profile where it has them, and for default visibility the
 * narrower of the two (both restricted: the people on both lists, or the kept list when none is;
 * R34, a merge never widens who sees new conversations). The merged contact is deleted; audited.
 *
 * The rule for conflicts: a group can hold one open conversation per contact, so where both have
 * one open in the same group, the one with the latest message stays open and the other is closed
 * with a line saying where the conversation goes on — unless it has unpaid invoices (R21), then the
 * other one is closed; when both have, the merge is refused naming them.
 */
export async function mergeContacts(
  ctx: UseCaseContext,
  actor: Actor,
  raw: z.input<typeof mergeSchema>,
): Promise<WithEvents<MergeResult>> {
  const input = parseInput(mergeSchema, raw);
  return inTransaction(ctx, async (tx, record, now) => {
    if (actor.kind === 'user') {
      const user = await loadActingUser(tx, actor);
      if (user.role !== 'admin') throw new AppError('forbidden', 'Only an admin can merge contacts.');
    }
    const [keep, merge] = await Promise.all([
      contactOrFail(tx, input.keepId),
      contactOrFail(tx, input.mergeId),
    ]);
    if (keep.account.id !== merge.account.id)
      throw new AppError('not_found', 'Those contacts are not in one account.');
    const conversations = await tx.find(
      Conversation,
      { contact: { $in: [keep.id, merge.id] }, status: { $ne: 'deleted' } },
      { orderBy: { number: 'asc' } },
    );
    const closed = await closeConflicts(tx, conversations, keep, merge, actor, now);
    // Written before any conversation changes contact: one open conversation per contact and group.
    await tx.flush();
    for (const c of closed.conversations)
      record({ type: 'conversation.updated', conversationId: c.id, groupId: c.group.id, change: 'closed' });

    const moved = conversations.filter((c) => c.contact.id === merge.id);
    for (const c of moved) {
      c.contact = keep;
      await markHeadersDirty(tx, c);
      record({ type: 'conversation.updated', conversationId: c.id, groupId: c.group.id, change: 'contact' });
    }
    // Deleted conversations (R24) keep a row that still names the contact: it moves too.
    await tx.nativeUpdate(Conversation, { contact: merge.id, status: 'deleted' }, { contact: keep.id });
    await tx.nativeUpdate(ContactIdentity, { contact: merge.id }, { contact: keep.id });
    await moveBroadcastHistory(tx, keep.id, merge.id);
    combine(keep, merge);
    audit(
      tx,
      keep.account,
      actor,
      'contact.merged',
      null,
      {
        keptId: keep.id,
        mergedId: merge.id,
        moved: moved.map((c) => c.id),
        closed: closed.summary.map((c) => c.conversationId),
      },
      now,
    );
    await tx.flush();
    tx.remove(merge);
    return { keptId: keep.id, moved: moved.length, closed: closed.summary };
  });
}

async function contactOrFail(tx: EntityManager, id: string): Promise<Contact> {
  const contact = await tx.findOne(Contact, { id });
  if (!contact)
    throw new AppError('not_found', `There is no contact with id ${id}; list the contacts to find it.`);
  return contact;
}

async function closeConflicts(
  tx: EntityManager,
  conversations: Conversation[],
  keep: Contact,
  merge: Contact,
  actor: Actor,
  now: Date,
) {
  const out = { conversations: [] as Conversation[], summary: [] as MergeResult['closed'] };
  const open = conversations.filter((c) => c.status === 'open');
  for (const a of open.filter((c) => c.contact.id === keep.id)) {
    const b = open.find((c) => c.contact.id === merge.id && c.group.id === a.group.id);
    if (!b) continue;
    const [latest, older] =
      (b.lastMessageAt ?? b.createdAt) > (a.lastMessageAt ?? a.createdAt) ? [b, a] : [a, b];
    const owedOlder = await unpaidInvoiceReferences(tx, older);
    const owedLatest = owedOlder.length > 0 ? await unpaidInvoiceReferences(tx, latest) : [];
    if (owedOlder.length > 0 && owedLatest.length > 0)
      throw new AppError(
        'conflict',
        `Both contacts have an open conversation with unpaid invoices in one group (#${older.number}: ${owedOlder.join(', ')}; #${latest.number}: ${owedLatest.join(', ')}). Settle or void the invoices of one, or close it, then merge.`,
        { conversations: [older.number, latest.number] },
      );
    const [shut, stays] = owedOlder.length > 0 ? [latest, older] : [older, latest];
    const group = await tx.findOneOrFail(Group, { id: shut.group.id });
    shut.status = 'closed';
    shut.closedAt = now;
    shut.aiState = aiStateAfterClose(group.aiAgent?.enabled === true);
    shut.aiHandoffAt = null;
    await endSlaWait(tx, shut, now, 'close');
    await appendSystemLine(
      tx,
      shut,
      actor,
      'conversation.closed',
      `Closed when two contacts were merged into one: this conversation goes on in #${stays.number}.`,
      now,
      { merged: true, continuesIn: stays.id },
    );
    await markHeadersDirty(tx, shut);
    out.conversations.push(shut);
    out.summary.push({ conversationId: shut.id, number: shut.number, continuesIn: stays.number });
  }
  return out;
}

/** A broadcast both contacts were in keeps the kept contact's row; the other rows move. */
async function moveBroadcastHistory(tx: EntityManager, keepId: string, mergeId: string) {
  await tx.getConnection().execute(
    `delete from broadcast_recipient m using broadcast_recipient k
      where m.contact_id = ? and k.contact_id = ? and k.broadcast_id = m.broadcast_id`,
    [mergeId, keepId],
  );
  await tx.nativeUpdate(BroadcastRecipient, { contact: mergeId }, { contact: keepId });
}

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

function combine(keep: Contact, merge: Contact): void {
  keep.name = keep.name ?? merge.name;
  keep.portalProfile = keep.portalProfile ?? merge.portalProfile;
  keep.tags = union(keep.tags, merge.tags);
  keep.optedOutChannels = union(keep.optedOutChannels, merge.optedOutChannels);
  const a = keep.defaultVisibleToIds;
  const b = merge.defaultVisibleToIds;
  const both = a && b ? a.filter((id) => b.includes(id)) : null;
  const visible = a && b ? (both!.length > 0 ? both! : a) : (a ?? b ?? null);
  keep.defaultVisibleToIds = visible;
  // R18: default assignees stay among the people who may see new conversations.
  keep.defaultAssigneeIds = union(keep.defaultAssigneeIds, merge.defaultAssigneeIds).filter(
    (id) => visible === null || visible.includes(id),
  );
}
