import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Conversation, User } from '../db/entities/index.ts';
import type { Actor, Viewer } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import { canKnowExists, canSee } from '../domain/visibility.ts';

export const toViewer = (u: User): Viewer => ({
  id: u.id,
  accountId: u.account.id,
  role: u.role,
  groupIds: u.groupIds,
});

/** R33: the acting user as they are now (role and groups from the database, not from the surface). */
export async function loadActingUser(tx: EntityManager, actor: Actor): Promise<User> {
  if (actor.kind !== 'user') throw new AppError('forbidden', 'Only a signed-in user can do this.');
  const user = await tx.findOne(User, { id: actor.userId });
  if (!user?.active) throw new AppError('forbidden', 'Your Parley user is not active. Ask an admin.');
  return user;
}

export interface LoadConversationOptions {
  /** Take a row lock so counters and sequence numbers change safely (default true). */
  lock?: boolean;
  /** Allow acting on a restricted conversation the user cannot see (an admin deleting it). */
  allowExistenceOnly?: boolean;
  /**
   * Relations read in the same statement (joined); only the conversation's row is locked. Saves
   * a round trip each for a use-case that needs them, such as a reply (group, contact, endpoint).
   */
  populate?: ('group' | 'contact' | 'endpoint')[];
}

/** MikroORM's alias of a query's root table: `for update of` it locks the conversation alone. */
const CONVERSATION_ALIAS = 'c0';

/**
 * Loads a conversation for a user, enforcing group membership and visibility (R17, R33). A
 * conversation the user may not know about answers "not found", so its existence does not leak.
 */
export async function loadConversationFor(
  tx: EntityManager,
  user: User,
  conversationId: string,
  opts: LoadConversationOptions = {},
): Promise<Conversation> {
  const conv = await tx.findOne(
    Conversation,
    { id: conversationId, status: { $ne: 'deleted' } },
    {
      ...(opts.lock === false
        ? {}
        : { lockMode: LockMode.PESSIMISTIC_WRITE, lockTableAliases: [CONVERSATION_ALIAS] }),
      ...(opts.populate ? { populate: opts.populate, strategy: 'joined' as const } : {}),
    },
  );
  const viewer = toViewer(user);
  const facts = conv && { groupId: conv.group.id, visibleToIds: conv.visibleToIds ?? null };
  if (!conv || !facts || !canKnowExists(viewer, facts)) {
    throw new AppError('not_found', 'That conversation does not exist or is not in your groups.');
  }
  if (!canSee(viewer, facts) && !opts.allowExistenceOnly) {
    throw new AppError(
      'forbidden',
      `Conversation #${conv.number} is restricted to a list of users you are not on.`,
      {
        rule: 'R17',
        conversationNumber: conv.number,
      },
    );
  }
  return conv;
}

/** Loads a conversation for a non-user actor (system, AI, provider), with a row lock. */
export async function loadConversationLocked(
  tx: EntityManager,
  conversationId: string,
): Promise<Conversation> {
  const conv = await tx.findOne(
    Conversation,
    { id: conversationId },
    { lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (!conv || conv.status === 'deleted')
    throw new AppError('not_found', 'That conversation does not exist.');
  return conv;
}
