import type { EntityManager } from '@mikro-orm/postgresql';
import { type Account, ChannelEndpoint, Conversation, Group, User } from '../db/entities/index.ts';
import { sameName } from '../db/same-name.ts';
import { AppError } from '../domain/errors.ts';
import { parseInput } from '../use-cases/input.ts';
import { slaSettingsChanged } from '../use-cases/sla-clock.ts';
import { currentAccount } from './account.ts';
import { adminApiActor, auditSetup, type SetupActor } from './actor.ts';
import { refuseOnConstraint } from './db-errors.ts';
import { applyChanges } from './patch.ts';
import { type GroupCreate, type GroupPatch, groupCreateSchema, groupPatchSchema } from './schemas.ts';

export async function listGroups(em: EntityManager): Promise<Group[]> {
  const account = await currentAccount(em);
  return em.find(Group, { account }, { orderBy: { name: 'asc' } });
}

export async function getGroup(em: EntityManager, id: string): Promise<Group> {
  const group = await em.findOne(Group, { id });
  if (!group)
    throw new AppError('not_found', `There is no group with id ${id}; list the groups to find its id.`);
  return group;
}

/** The key that tells group names apart in memory (the workspace file): "Billing" and "billing" are one. */
export const groupNameKey = (name: string) => name.toLowerCase();

export async function findGroupByName(em: EntityManager, name: string): Promise<Group> {
  const account = await currentAccount(em);
  const group = await em.findOne(Group, { account, ...sameName(name) });
  if (!group)
    throw new AppError('not_found', `There is no group named "${name}"; list the groups to see their names.`);
  return group;
}

/** A Teams channel is named by its team and its channel together; one without the other links nothing. */
export function checkGroupLinks(group: Pick<Group, 'teamsTeamId' | 'teamsChannelId'>, where = ''): void {
  if (Boolean(group.teamsTeamId) !== Boolean(group.teamsChannelId)) {
    throw new AppError(
      'validation_failed',
      `${where}Set both teamsTeamId and teamsChannelId to link a Teams channel, or both to null to unlink it.`,
    );
  }
}

/**
 * Checked before the change, so this query cannot flush the clashing row first. The refusal names
 * the group that has the name, as it is spelled ("billing" when "Billing" was asked for).
 */
async function refuseTakenName(tx: EntityManager, account: Account, name: string, self?: string) {
  const clash = await tx.findOne(Group, {
    account,
    ...sameName(name),
    ...(self ? { id: { $ne: self } } : {}),
  });
  if (!clash) return;
  const spelled = clash.name === name ? '' : ' (group names are the same whatever their case)';
  throw new AppError(
    'conflict',
    `A group named "${clash.name}" already exists${spelled}; pick another name.`,
    {
      groupId: clash.id,
      name: clash.name,
    },
  );
}

export function createGroup(
  em: EntityManager,
  input: GroupCreate,
  actor: SetupActor = adminApiActor,
): Promise<Group> {
  const data = parseInput(groupCreateSchema, input);
  return refuseOnConstraint(
    () =>
      em.transactional(async (tx) => {
        const account = await currentAccount(tx);
        await refuseTakenName(tx, account, data.name);
        const group = tx.create(Group, {
          account,
          name: data.name,
          slackChannelId: data.slackChannelId ?? null,
          teamsTeamId: data.teamsTeamId ?? null,
          teamsChannelId: data.teamsChannelId ?? null,
          aiAgent: data.aiAgent ?? null,
          autoResponder: data.autoResponder ?? null,
          sla: data.sla ?? null,
          digestCron: data.digestCron ?? null,
          replies: data.replies ?? 'thread',
          csat: data.csat ?? 'off',
        });
        checkGroupLinks(group);
        auditSetup(tx, account, actor, 'group.created', { groupId: group.id, name: group.name });
        return group;
      }),
    `A group named "${data.name}" (in any case) already exists; pick another name.`,
  );
}

export function updateGroup(
  em: EntityManager,
  id: string,
  input: GroupPatch,
  actor: SetupActor = adminApiActor,
): Promise<Group> {
  const patch = parseInput(groupPatchSchema, input);
  return refuseOnConstraint(
    () =>
      em.transactional(async (tx) => {
        const group = await getGroup(tx, id);
        // The group never clashes with itself: "billing" may be renamed "Billing".
        if (patch.name && patch.name !== group.name) await refuseTakenName(tx, group.account, patch.name, id);
        const hadSla = group.sla != null;
        const changed = applyChanges(group, patch);
        checkGroupLinks(group);
        // R39: new targets or hours apply to the waits already running.
        await slaSettingsChanged(tx, group, { hadSla, changed, now: new Date() });
        if (changed.length > 0)
          auditSetup(tx, group.account, actor, 'group.updated', { groupId: id, changed });
        return group;
      }),
    `A group named "${patch.name}" (in any case) already exists; pick another name.`,
  );
}

/** A group is deleted only when nothing belongs to it: no users, no channel endpoints, no conversations. */
export function deleteGroup(em: EntityManager, id: string, actor: SetupActor = adminApiActor): Promise<void> {
  return em.transactional(async (tx) => {
    const group = await getGroup(tx, id);
    const [users, endpoints, conversations] = await Promise.all([
      tx.count(User, { groupIds: { $contains: [id] } }),
      tx.count(ChannelEndpoint, { group }),
      tx.count(Conversation, { group }),
    ]);
    if (users + endpoints + conversations > 0) {
      throw new AppError(
        'conflict',
        `Group "${group.name}" is not empty (${users} users, ${endpoints} channel endpoints, ${conversations} conversations); ` +
          'move or remove them first.',
        { users, endpoints, conversations },
      );
    }
    auditSetup(tx, group.account, actor, 'group.deleted', { groupId: id, name: group.name });
    tx.remove(group);
  });
}
