import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { TeamsPersonalChat, User } from '../../../src/db/entities/index.ts';
import type { Logger } from '../../../src/logger.ts';
import { SurfaceRetryLater } from '../../../src/ports/agent-surface.ts';
import { loadHomeData } from '../../../src/queries/home-data.ts';
import { dashboardCard, inactiveDashboardCard, notLinkedDashboardCard } from './cards/dashboard-card.ts';
import { loadDashboardFilters } from './inbound/dashboard-filters.ts';
import { personalChat, setDashboardActivity } from './personal-chats.ts';
import type { OutboundActivity } from './ports.ts';
import type { TeamsApiClient } from './teams-api.ts';
import { TeamsApiError } from './teams-api-errors.ts';

/**
 * The Teams dashboard (R26, R32): one card per user in their personal chat with the app, posted
 * once and then updated in place, so the chat does not fill with copies. A card in the chat was
 * chosen over a personal tab: it needs no hosted web page or sign-in, its buttons are the same
 * Action.Execute verbs as every other card, and a redraw is one update call. Each card is drawn
 * for its viewer alone (their figures, their filters, only what they may see: loadHomeData).
 *
 * A redraw after a change reaches users whose chat with the app Parley knows (TeamsPersonalChat:
 * it wrote to them, or showed them the dashboard), so nobody gets an unasked-for message from a
 * group they barely use; the `dashboard` command (inbound/dashboard-actions.ts) opens the chat. A user
 * not active any more gets a card with nothing on it (R34, R35).
 */
export interface TeamsHomeDeps {
  api: TeamsApiClient;
  em: () => EntityManager;
  redis: Redis;
  prefix: string;
  logger: Logger;
}

/** What an inactive user's card says (R35): nothing of Parley's data. */
export const INACTIVE_TEXT =
  'Your Parley account is not active, so Parley shows you nothing here. Ask a Parley admin if this is a mistake.';

export async function publishDashboard(
  deps: TeamsHomeDeps,
  userId: string,
  opts: { force?: boolean } = {},
): Promise<void> {
  const user = await deps.em().findOne(User, userId, { fields: ['id', 'teamsUserId'] });
  const teamsUserId = user?.teamsUserId;
  if (!teamsUserId) return;
  const known = await deps.em().findOne(TeamsPersonalChat, { teamsUserId });
  if (!known) return;
  const filters = await loadDashboardFilters(deps, userId);
  const data = await loadHomeData(deps.em(), userId, filters);
  if (!data && !known?.dashboardActivityId) return;
  const card = data ? dashboardCard(data, { filters: data.filters }) : inactiveDashboardCard(INACTIVE_TEXT);
  try {
    await drawDashboard(deps, teamsUserId, card);
  } catch (err) {
    // A redraw after an ordinary change may wait for the next one; one that must clear the
    // screen (R34) is retried by its job.
    if (err instanceof SurfaceRetryLater && !opts.force) {
      deps.logger.debug({ userId, wait: err.retryAfterMs }, 'teams: dashboard redraw skipped (paced)');
      return;
    }
    if (err instanceof TeamsApiError && err.code === 'app_not_installed') {
      deps.logger.info({ userId }, 'teams: no dashboard drawn, the app is not installed for the user');
      return;
    }
    throw err;
  }
}

/** R35: the card of a Teams user no longer linked to anyone says so, and shows nothing else. */
export async function clearDashboard(deps: TeamsHomeDeps, teamsUserId: string, text: string): Promise<void> {
  const known = await deps.em().findOne(TeamsPersonalChat, { teamsUserId });
  if (known?.dashboardActivityId) await drawDashboard(deps, teamsUserId, notLinkedDashboardCard(text));
}

/** Updates the user's card in place, or posts it (and keeps its id) when there is none or it is gone. */
async function drawDashboard(
  deps: TeamsHomeDeps,
  teamsUserId: string,
  card: OutboundActivity,
): Promise<void> {
  const chat = await personalChat(deps, teamsUserId);
  if (chat.dashboardActivityId) {
    try {
      await deps.api.update(chat.conversationId, chat.dashboardActivityId, card);
      return;
    } catch (err) {
      // Deleted in Teams: a new card.
      if (!(err instanceof TeamsApiError && err.code === 'not_found')) throw err;
    }
  }
  const { activityId } = await deps.api.send(chat.conversationId, card);
  await setDashboardActivity(deps, teamsUserId, activityId);
}
