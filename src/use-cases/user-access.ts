import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ChatUnlinkNotice, Conversation, Group, SurfaceThread, type User } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { accessWithdrawnLine } from '../domain/assignment.ts';
import type { DomainEvent } from '../domain/events.ts';
import { withoutUser } from '../domain/visibility.ts';
import { markHeadersDirty } from './management-support.ts';
import { appendSystemLine, audit } from './timeline.ts';

/** A user as they were before a setup change (admin API, CLI, workspace file, `/parley link`). */
export interface UserFacts {
  id: string;
  name: string;
  role: 'admin' | 'agent';
  groupIds: readonly string[];
  active: boolean;
  slackUserId: string | null;
  teamsUserId: string | null;
}

export const userFacts = (u: User): UserFacts => ({
  id: u.id,
  name: u.name,
  role: u.role,
  groupIds: [...u.groupIds],
  active: u.active,
  slackUserId: u.slackUserId ?? null,
  teamsUserId: u.teamsUserId ?? null,
});

const identityColumns = [
  ['slack', 'slackUserId'],
  ['teams', 'teamsUserId'],
] as const;

/**
 * R34/R35: what a change to a user does to the conversations they could see, in the change's own
 * transaction, so that no door (API, CLI, file) can forget it:
 * - leaving a group or being deactivated takes them off that group's assignee and visibility lists
 *   (a list that empties stays restricted, to the group's admins), with a line in each conversation;
 * - every thread that showed them a conversation is redrawn by the mirror (their direct-message
 *   threads go, admins' ones come and go with the role), and their dashboards are redrawn;
 * - a chat identity that stops being theirs is told, and its App Home cleared (ChatUnlinkNotice).
 * Returns the events that wake the jobs; rows alone let the reconciler finish if Redis is lost.
 */
export async function applyUserAccessChange(
  tx: EntityManager,
  before: UserFacts,
  user: User,
  actor: Actor,
  now: Date,
): Promise<DomainEvent[]> {
  const events: DomainEvent[] = [];
  const groupsBefore = before.active ? before.groupIds : [];
  const groupsAfter = user.active ? user.groupIds : [];
  const left = groupsBefore.filter((g) => !groupsAfter.includes(g));
  const adminOf = (role: string, groups: readonly string[]) => (role === 'admin' ? groups : []);
  const adminBefore = adminOf(before.role, groupsBefore);
  const adminAfter = adminOf(user.role, groupsAfter);
  const adminChanged = [
    ...adminBefore.filter((g) => !adminAfter.includes(g)),
    ...adminAfter.filter((g) => !adminBefore.includes(g)),
  ];
  const relinked = identityColumns.filter(([, column]) => before[column] !== (user[column] ?? null));
  if (left.length === 0 && adminChanged.length === 0 && relinked.length === 0) return events;

  for (const groupId of left) {
    events.push(...(await leaveGroupLists(tx, user, groupId, actor, now, !user.active)));
  }
  // Conversations whose list emptied are shown to the group's admins: their places change with the role.
  for (const groupId of adminChanged) events.push(...(await redrawEmptyListed(tx, groupId)));

  for (const [surface, column] of relinked) {
    const previous = before[column];
    audit(
      tx,
      user.account,
      actor,
      'user.chat_identity_changed',
      null,
      {
        userId: user.id,
        surface,
        from: previous,
        to: user[column] ?? null,
      },
      now,
    );
    if (previous) {
      const notice = tx.create(ChatUnlinkNotice, {
        account: user.account,
        surface,
        platformUserId: previous,
        formerUserName: user.name,
        createdAt: now,
      });
      events.push({ type: 'chat_identity.unlinked', noticeId: notice.id });
    }
  }
  if (relinked.length > 0) events.push(...(await redrawPrivatePlaces(tx, user)));

  user.accessChangedAt = now;
  events.push({ type: 'user.access_changed', userId: user.id });
  return events;
}

async function leaveGroupLists(
  tx: EntityManager,
  user: User,
  groupId: string,
  actor: Actor,
  now: Date,
  deactivated: boolean,
): Promise<DomainEvent[]> {
  const group = await tx.findOneOrFail(Group, groupId, { fields: ['id', 'name'] });
  const convs = await tx.find(
    Conversation,
    {
      group: groupId,
      status: { $ne: 'deleted' },
      $or: [{ assigneeIds: { $contains: [user.id] } }, { visibleToIds: { $contains: [user.id] } }],
    },
    { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } },
  );
  const events: DomainEvent[] = [];
  for (const conv of convs) {
    const next = withoutUser(
      { assigneeIds: conv.assigneeIds, visibleToIds: conv.visibleToIds ?? null },
      user.id,
    );
    if (!next.changed) continue;
    const was = {
      assigned: next.assigneeIds.length !== conv.assigneeIds.length,
      listed: (next.visibleToIds?.length ?? 0) !== (conv.visibleToIds?.length ?? 0),
      listEmptied: next.visibleToIds !== null && next.visibleToIds.length === 0,
    };
    conv.assigneeIds = next.assigneeIds;
    conv.visibleToIds = next.visibleToIds;
    const reason = deactivated
      ? ({ kind: 'deactivated' } as const)
      : { kind: 'left' as const, groupName: group.name };
    await appendSystemLine(
      tx,
      conv,
      actor,
      'conversation.member_left',
      accessWithdrawnLine(user.name, reason, was),
      now,
      {
        userId: user.id,
        visibleToIds: next.visibleToIds,
        assigneeIds: next.assigneeIds,
      },
    );
    await markHeadersDirty(tx, conv);
    const base = { type: 'conversation.updated', conversationId: conv.id, groupId } as const;
    if (was.listed) events.push({ ...base, change: 'visibility' });
    if (was.assigned) events.push({ ...base, change: 'assigned' });
  }
  return events;
}

/** Conversations of the group restricted to its admins (an emptied list): their private places change. */
async function redrawEmptyListed(tx: EntityManager, groupId: string): Promise<DomainEvent[]> {
  const ids = await emptyListed(tx, [groupId]);
  for (const id of ids) await markHeadersDirty(tx, tx.getReference(Conversation, id));
  return ids.map((id) => ({
    type: 'conversation.updated',
    conversationId: id,
    groupId,
    change: 'visibility',
  }));
}

/** Conversations of these groups whose list emptied (restricted to the groups' admins). */
async function emptyListed(tx: EntityManager, groupIds: readonly string[]): Promise<string[]> {
  if (groupIds.length === 0) return [];
  const rows = await tx
    .getConnection()
    .execute<{ id: string }[]>(
      `select id from conversation where group_id in (?) and status <> 'deleted' and visible_to_ids = '{}'::text[]`,
      [groupIds],
      'all',
      tx.getTransactionContext(),
    );
  return rows.map((r) => r.id);
}

/** The user's direct-message threads, redrawn where their new chat identity is (R35). */
async function redrawPrivatePlaces(tx: EntityManager, user: User): Promise<DomainEvent[]> {
  const threads = await tx.find(
    SurfaceThread,
    { place: { $like: `user:${user.id}:%` }, state: { $ne: 'removed' } },
    { populate: ['conversation'] },
  );
  const listing = user.groupIds.length
    ? await tx.find(
        Conversation,
        {
          group: { $in: [...user.groupIds] },
          status: { $ne: 'deleted' },
          visibleToIds: { $contains: [user.id] },
        },
        { fields: ['id', 'group'] },
      )
    : [];
  const groupOf = new Map<string, string>();
  for (const t of threads) groupOf.set(t.conversation.id, t.conversation.group.id);
  for (const c of listing) groupOf.set(c.id, c.group.id);
  if (user.role === 'admin') {
    for (const groupId of user.groupIds)
      for (const id of await emptyListed(tx, [groupId])) groupOf.set(id, groupId);
  }
  for (const id of groupOf.keys()) await markHeadersDirty(tx, tx.getReference(Conversation, id));
  return [...groupOf].map(([conversationId, groupId]) => ({
    type: 'conversation.updated',
    conversationId,
    groupId,
    change: 'visibility',
  }));
}
