import type { Viewer } from './actor.ts';
import { AppError } from './errors.ts';

/**
 * R20–R24 as pure rules: who may close, reopen and delete a conversation, and what blocks it.
 * The use-cases gather the facts (status, assignees, unpaid invoices, the contact's other open
 * conversation) and ask these functions.
 */

export type ConversationStatus = 'open' | 'closed' | 'deleted';

export interface LifecycleFacts {
  number: number;
  status: ConversationStatus;
  assigneeIds: readonly string[];
}

/** R20: only an assignee of the conversation or an admin can close it. */
export function assertCanClose(viewer: Viewer, conv: LifecycleFacts): void {
  if (conv.status === 'closed') {
    throw new AppError('conflict', `Conversation #${conv.number} is already closed.`, { rule: 'R20' });
  }
  if (viewer.role === 'admin' || conv.assigneeIds.includes(viewer.id)) return;
  throw new AppError(
    'forbidden',
    `Only an assignee of conversation #${conv.number} or an admin can close it. Assign it to yourself first, or ask an assignee or an admin.`,
    { rule: 'R20', conversationNumber: conv.number },
  );
}

/**
 * R21 (close) and R24 (delete): an unpaid invoice blocks the change; the refusal names the
 * invoice(s) so the user knows what to settle or void.
 */
export function assertNoUnpaidInvoices(
  conv: { number: number },
  unpaidReferences: readonly string[],
  action: 'close' | 'delete',
): void {
  if (unpaidReferences.length === 0) return;
  const rule = action === 'close' ? 'R21' : 'R24';
  const what =
    unpaidReferences.length === 1
      ? `the unpaid invoice ${unpaidReferences[0]}`
      : `the unpaid invoices ${unpaidReferences.join(', ')}`;
  throw new AppError(
    'rule_violation',
    `Conversation #${conv.number} cannot be ${action === 'close' ? 'closed' : 'deleted'} while it holds ${what}. Wait until it is paid, or have an admin void it.`,
    { rule, invoiceReference: unpaidReferences[0], invoiceReferences: [...unpaidReferences] },
  );
}

/**
 * R23: only a closed conversation is reopened, and not while the contact has another open
 * conversation in the group (one open conversation per contact and group, R2/R22).
 */
export function assertCanReopen(
  conv: LifecycleFacts,
  otherOpen: { id: string; number: number; visible: boolean } | null,
): void {
  if (conv.status !== 'closed') {
    throw new AppError('conflict', `Conversation #${conv.number} is already open.`, { rule: 'R23' });
  }
  if (otherOpen && !otherOpen.visible) {
    // R34: a refusal never names what the caller may not see.
    throw new AppError(
      'conflict',
      `Conversation #${conv.number} cannot be reopened: the contact already has another conversation open in this group, restricted to a list you are not on. Ask an admin of the group.`,
      { rule: 'R23' },
    );
  }
  if (otherOpen) {
    throw new AppError(
      'conflict',
      `Conversation #${conv.number} cannot be reopened: the contact already has conversation #${otherOpen.number} open in this group. Continue there, or close #${otherOpen.number} first.`,
      { rule: 'R23', openConversationId: otherOpen.id, openConversationNumber: otherOpen.number },
    );
  }
}

/** R24: only an admin can delete a conversation. */
export function assertCanDelete(viewer: Viewer, conv: { number: number }): void {
  if (viewer.role === 'admin') return;
  throw new AppError(
    'forbidden',
    `Only an admin can delete conversation #${conv.number}. Ask an admin of your group.`,
    {
      rule: 'R24',
      conversationNumber: conv.number,
    },
  );
}

/**
 * R14: closing ends an AI handoff. Where the group's AI agent is enabled it answers the next
 * conversation (or this one, reopened) again; otherwise it stays off.
 */
export const aiStateAfterClose = (aiAgentEnabled: boolean): 'active' | 'off' =>
  aiAgentEnabled ? 'active' : 'off';

export const closedLine = (actorName: string) => `Closed by ${actorName}`;
export const reopenedLine = (actorName: string) => `Reopened by ${actorName}`;
