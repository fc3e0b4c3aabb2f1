import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TeamsPersonalChat } from '../../../src/db/entities/index.ts';
import type { TeamsApi } from './ports.ts';

/**
 * The bot's personal chat with each Teams user (R31, R26): asked of Teams once (it answers with
 * the same chat every time) and kept in TeamsPersonalChat, with the activity of the user's
 * dashboard card there. Opening throws TeamsApiError `app_not_installed` when the app is not
 * installed for the user; nothing is kept then, so the next try asks again.
 */
export interface PersonalChatDeps {
  api: Pick<TeamsApi, 'openPersonalChat'>;
  em: () => EntityManager;
}

export async function personalChat(deps: PersonalChatDeps, teamsUserId: string): Promise<TeamsPersonalChat> {
  const known = await deps.em().findOne(TeamsPersonalChat, { teamsUserId });
  if (known) return known;
  const conversationId = await deps.api.openPersonalChat(teamsUserId);
  const em = deps.em();
  try {
    const row = em.create(TeamsPersonalChat, { teamsUserId, conversationId, dashboardActivityId: null });
    await em.flush();
    return row;
  } catch (err) {
    // Another job kept it first: the same chat.
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    return deps.em().findOneOrFail(TeamsPersonalChat, { teamsUserId });
  }
}

/** Remembers (or forgets, with null) the user's dashboard card. */
export async function setDashboardActivity(
  deps: Pick<PersonalChatDeps, 'em'>,
  teamsUserId: string,
  activityId: string | null,
): Promise<void> {
  await deps.em().nativeUpdate(
    TeamsPersonalChat,
    { teamsUserId },
    {
      dashboardActivityId: activityId,
      updatedAt: new Date(),
    },
  );
}
