import type { EntityManager } from '@mikro-orm/postgresql';
import { Conversation, User } from '../db/entities/index.ts';
import type { Actor, Viewer } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import { canKnowExists, canSee } from '../domain/visibility.ts';
import type { UseCaseContext } from '../use-cases/context.ts';
import { loadConversationFor } from '../use-cases/load.ts';
import type { MessageSource } from '../use-cases/timeline.ts';

/** Which platform column links a chat user to a Parley user. */
export type CommandSurface = 'slack' | 'teams';

/** What every command handler works with: the acting user as the database has them now (R33). */
export interface CommandEnv {
  ctx: UseCaseContext;
  actor: Actor;
  user: User;
  viewer: Viewer;
  surface: CommandSurface;
  impliedConversationId?: string;
  source?: MessageSource;
  /**
   * Lookups (numbers, mentions, contacts) read through their own fork, so the use-cases' own
   * transactions never meet an entity this layer loaded earlier.
   */
  lookup: EntityManager;
}

export const platformColumn = (surface: CommandSurface) =>
  surface === 'slack' ? ('slackUserId' as const) : ('teamsUserId' as const);

/**
 * The conversation a command acts on: `#1042` in the user's account, or the thread's conversation.
 * A number the user may not see answers "not found", so a restricted conversation's existence does
 * not leak (R17); `existenceOnly` lets an admin reach one they are not on the list of (delete, R24).
 */
export async function targetConversation(
  env: CommandEnv,
  number: number | undefined,
  example: string,
  opts: { existenceOnly?: boolean } = {},
): Promise<Conversation> {
  if (number !== undefined) {
    const conv = await env.lookup.findOne(Conversation, {
      account: env.user.account.id,
      number,
      status: { $ne: 'deleted' },
    });
    const facts = conv && { groupId: conv.group.id, visibleToIds: conv.visibleToIds ?? null };
    const allowed = facts && (opts.existenceOnly ? canKnowExists : canSee)(env.viewer, facts);
    if (!conv || !allowed)
      throw new AppError('not_found', `There is no conversation #${number} you can see.`);
    return conv;
  }
  if (env.impliedConversationId) {
    return loadConversationFor(env.lookup, env.user, env.impliedConversationId, {
      lock: false,
      allowExistenceOnly: opts.existenceOnly === true,
    });
  }
  throw new AppError(
    'bad_request',
    `Which conversation? Name it, e.g. \`${example}\`, or run the command in the conversation's thread.`,
  );
}

/**
 * Mentioned chat users as Parley users of the actor's account, in the order mentioned. A mention of
 * someone not linked is refused by name (the surface renders `<@U1>` as the person).
 */
export async function mentionedUsers(env: CommandEnv, platformIds: readonly string[]): Promise<User[]> {
  if (platformIds.length === 0) return [];
  const column = platformColumn(env.surface);
  const users = await env.lookup.find(User, {
    account: env.user.account.id,
    [column]: { $in: [...platformIds] },
  });
  const byPlatformId = new Map(users.map((u) => [u[column], u]));
  const missing = platformIds.filter((id) => !byPlatformId.has(id));
  if (missing.length > 0) {
    const who = missing.map((id) => `<@${id}>`).join(', ');
    throw new AppError(
      'bad_request',
      `${who} ${missing.length === 1 ? 'is' : 'are'} not linked to a Parley user yet. An admin links them first: \`/parley link @them their@email\`.`,
    );
  }
  return platformIds.map((id) => byPlatformId.get(id)!);
}

/** Names of users by id, in the order given (for answers such as "Assigned #1042 to Alice and Bob."). */
export async function userNames(env: CommandEnv, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const users = await env.lookup.find(User, { id: { $in: [...ids] } }, { fields: ['id', 'name'] });
  return ids.flatMap((id) => (id === env.user.id ? 'you' : (users.find((u) => u.id === id)?.name ?? [])));
}
