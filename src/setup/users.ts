import type { EntityManager } from '@mikro-orm/postgresql';
import { type Account, Group, User } from '../db/entities/index.ts';
import { AppError } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import { parseInput } from '../use-cases/input.ts';
import { applyUserAccessChange, userFacts } from '../use-cases/user-access.ts';
import { currentAccount } from './account.ts';
import { adminApiActor, auditSetup, type SetupActor } from './actor.ts';
import { refuseOnConstraint } from './db-errors.ts';
import { applyChanges } from './patch.ts';
import { type UserCreate, type UserPatch, userCreateSchema, userPatchSchema } from './schemas.ts';

export async function listUsers(em: EntityManager, filter: { groupId?: string } = {}): Promise<User[]> {
  const account = await currentAccount(em);
  const where = filter.groupId ? { account, groupIds: { $contains: [filter.groupId] } } : { account };
  return em.find(User, where, { orderBy: { email: 'asc' } });
}

export async function getUser(em: EntityManager, id: string): Promise<User> {
  const user = await em.findOne(User, { id });
  if (!user)
    throw new AppError('not_found', `There is no user with id ${id}; list the users to find its id.`);
  return user;
}

export async function findUserByEmail(em: EntityManager, email: string): Promise<User> {
  const account = await currentAccount(em);
  const user = await em.findOne(User, { account, email: email.trim().toLowerCase() });
  if (!user)
    throw new AppError('not_found', `There is no user with email ${email}; list the users to see them.`);
  return user;
}

/** Every group id must name a group of the account; the refusal lists the ones that do not. */
async function checkGroupIds(
  tx: EntityManager,
  account: Account,
  groupIds: readonly string[],
): Promise<void> {
  if (groupIds.length === 0) return;
  const found = await tx.find(Group, { account, id: { $in: [...groupIds] } }, { fields: ['id'] });
  const known = new Set(found.map((g) => g.id));
  const unknown = groupIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new AppError(
      'validation_failed',
      `groupIds: no such group ${unknown.join(', ')}; list the groups for their ids.`,
      {
        issues: [{ path: 'groupIds', message: `unknown group ${unknown.join(', ')}` }],
      },
    );
  }
}

interface UserKeys {
  email: string;
  slackUserId?: string | null;
  teamsUserId?: string | null;
}

/**
 * Email, Slack user id and Teams user id each belong to one user; the refusal names who holds it.
 * Runs before the entity changes, so the check's own query cannot flush a clashing row first.
 */
async function refuseTakenKeys(
  tx: EntityManager,
  account: Account,
  keys: UserKeys,
  selfId?: string,
): Promise<void> {
  const checks = [
    ['email', { account, email: keys.email }],
    ['Slack user id', keys.slackUserId ? { slackUserId: keys.slackUserId } : null],
    ['Teams user id', keys.teamsUserId ? { teamsUserId: keys.teamsUserId } : null],
  ] as const;
  for (const [label, where] of checks) {
    if (!where) continue;
    const holder = await tx.findOne(User, selfId ? { ...where, id: { $ne: selfId } } : where);
    if (holder)
      throw new AppError(
        'conflict',
        `That ${label} already belongs to ${holder.email}; each user needs their own.`,
      );
  }
}

const uniqueIds = (ids: readonly string[]) => [...new Set(ids)];

export function createUser(
  em: EntityManager,
  input: UserCreate,
  actor: SetupActor = adminApiActor,
): Promise<User> {
  const data = parseInput(userCreateSchema, input);
  return refuseOnConstraint(
    () =>
      em.transactional(async (tx) => {
        const account = await currentAccount(tx);
        await checkGroupIds(tx, account, data.groupIds);
        await refuseTakenKeys(tx, account, data);
        const user = tx.create(User, {
          account,
          email: data.email,
          name: data.name,
          role: data.role,
          groupIds: uniqueIds(data.groupIds),
          slackUserId: data.slackUserId ?? null,
          teamsUserId: data.teamsUserId ?? null,
          active: data.active,
        });
        auditSetup(tx, account, actor, 'user.created', {
          userId: user.id,
          email: user.email,
          role: user.role,
        });
        return user;
      }),
    'That email, Slack user id or Teams user id already belongs to another user.',
  );
}

/** Where a setup change's events go (the job dispatcher); without one the reconciler finds the rows. */
export interface SetupEffects {
  dispatch?: (events: DomainEvent[]) => Promise<void>;
}

export async function updateUser(
  em: EntityManager,
  id: string,
  input: UserPatch,
  actor: SetupActor = adminApiActor,
  effects: SetupEffects = {},
): Promise<User> {
  const patch = parseInput(userPatchSchema, input);
  const events: DomainEvent[] = [];
  const updated = await refuseOnConstraint(
    () =>
      em.transactional(async (tx) => {
        const user = await getUser(tx, id);
        const before = userFacts(user);
        if (patch.groupIds) await checkGroupIds(tx, user.account, patch.groupIds);
        const keys = {
          email: patch.email ?? user.email,
          slackUserId: patch.slackUserId,
          teamsUserId: patch.teamsUserId,
        };
        await refuseTakenKeys(tx, user.account, keys, user.id);
        const changed = applyChanges(user, {
          ...patch,
          groupIds: patch.groupIds && uniqueIds(patch.groupIds),
        });
        if (changed.length > 0) auditSetup(tx, user.account, actor, 'user.updated', { userId: id, changed });
        // R34/R35: leaving a group, deactivation, a role or chat identity change withdraws access.
        events.push(...(await applyUserAccessChange(tx, before, user, actor, new Date())));
        return user;
      }),
    'That email, Slack user id or Teams user id already belongs to another user.',
  );
  if (events.length > 0) await effects.dispatch?.(events);
  return updated;
}
