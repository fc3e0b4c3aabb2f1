import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { Group, User } from '../../../src/db/entities/index.ts';
import type { Logger } from '../../../src/logger.ts';

/** What a setup refusal was about: who or which group, so only that account's admins hear of it. */
export interface SetupSubject {
  userId?: string;
  groupId?: string;
  channelId?: string;
}

export type SetupErrorSink = (what: string, whatToDo: string, about: SetupSubject) => Promise<void>;

/** One notice per refusal and account an hour: the work is retried every few minutes. */
const NOTICE_EVERY_MS = 3_600_000;

/**
 * R31: where Teams refuses something only an admin can fix (the app not installed for a listed
 * user, not added to a group's team), the account's admins are told privately what to do, in
 * their chat with the app, at most once an hour per refusal; it is logged too. Nothing falls back
 * to a shared place meanwhile.
 */
export function tellAdminsOfSetup(deps: {
  em: () => EntityManager;
  redis: Redis;
  prefix: string;
  logger: Logger;
  notify: (userId: string, text: string) => Promise<void>;
}): SetupErrorSink {
  async function accountOf(about: SetupSubject): Promise<string | null> {
    const em = deps.em();
    if (about.userId)
      return (await em.findOne(User, about.userId, { fields: ['account'] }))?.account.id ?? null;
    const group = about.groupId
      ? await em.findOne(Group, about.groupId, { fields: ['account'] })
      : about.channelId
        ? await em.findOne(Group, { teamsChannelId: about.channelId }, { fields: ['account'] })
        : null;
    return group?.account.id ?? null;
  }

  async function tell(what: string, fix: string, about: SetupSubject): Promise<void> {
    const account = await accountOf(about);
    if (!account) return;
    const key = `${deps.prefix}:teams:setup-notice:${account}:${what}`;
    if ((await deps.redis.set(key, '1', 'PX', NOTICE_EVERY_MS, 'NX')) !== 'OK') return;
    const admins = await deps
      .em()
      .find(User, { account, role: 'admin', active: true, teamsUserId: { $ne: null } }, { fields: ['id'] });
    for (const admin of admins)
      await deps.notify(admin.id, `Parley could not reach ${what} in Teams. ${fix}`);
  }

  return async (what, fix, about) => {
    deps.logger.warn({ what, ...about }, `Teams refused ${what}: ${fix}`);
    // Telling is best effort: the refused work waits and is tried again either way.
    await tell(what, fix, about).catch((err: unknown) =>
      deps.logger.warn({ err, what }, 'teams: admins could not be told of a setup problem'),
    );
  };
}
