import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { type Conversation, Group, SurfaceThread, User } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import type { Candidate, GroupFacts } from '../domain/assignment.ts';
import type { ConversationChange, DomainEvent } from '../domain/events.ts';
import { keepReadAfterOwnLine } from './mark-read.ts';
import { appendSystemLine } from './timeline.ts';

/** Shared steps of the conversation-management use-cases (assign, restrict, close, ...). */

/** The input of every use-case that acts on one conversation as a whole (close, reopen, delete...). */
export const conversationIdInput = z.strictObject({ conversationId: z.uuid() });
export type ConversationIdInput = z.input<typeof conversationIdInput>;

export async function loadCandidates(tx: EntityManager, ids: readonly string[]): Promise<Candidate[]> {
  if (ids.length === 0) return [];
  const users = await tx.find(User, { id: { $in: [...ids] } });
  return users.map((u) => ({ id: u.id, name: u.name, active: u.active, groupIds: u.groupIds, role: u.role }));
}

export async function loadGroupOf(tx: EntityManager, conv: Conversation): Promise<Group> {
  return tx.findOneOrFail(Group, { id: conv.group.id });
}

export const groupFacts = (group: Group): GroupFacts => ({ groupId: group.id, groupName: group.name });

/** Names in the order of `ids` (ids of users that no longer exist are left out). */
export function namesOf(ids: readonly string[], users: readonly { id: string; name: string }[]): string[] {
  return ids.flatMap((id) => users.find((u) => u.id === id)?.name ?? []);
}

/**
 * The conversation's Slack/Teams headers show status, assignees and visibility: flag them for the
 * mirror worker, which finds due work from rows (DESIGN: side effects are driven by rows).
 */
export async function markHeadersDirty(tx: EntityManager, conv: Conversation): Promise<void> {
  await tx.nativeUpdate(SurfaceThread, { conversation: conv.id }, { headerDirty: true });
}

export interface UserChange {
  conv: Conversation;
  user: User;
  actor: Actor;
  /** Audit action, e.g. `conversation.closed`. */
  action: string;
  /** The system line shown in the conversation ("Closed by Ada"). */
  text: string;
  change: ConversationChange | ConversationChange[];
  data?: Record<string, unknown>;
  now: Date;
}

/**
 * The tail every management use-case shares: a system line (which also writes the audit trail),
 * the conversation stays read for the user who acted, its thread headers are redrawn, and the
 * change is recorded for the job layer.
 */
export async function recordUserChange(
  tx: EntityManager,
  record: (...events: DomainEvent[]) => void,
  c: UserChange,
): Promise<void> {
  const seqBefore = c.conv.lastSeq;
  await appendSystemLine(tx, c.conv, c.actor, c.action, c.text, c.now, c.data);
  await keepReadAfterOwnLine(tx, c.user, c.conv, seqBefore);
  await markHeadersDirty(tx, c.conv);
  for (const change of Array.isArray(c.change) ? c.change : [c.change]) {
    record({ type: 'conversation.updated', conversationId: c.conv.id, groupId: c.conv.group.id, change });
  }
}
