import type { User } from '../../../../src/db/entities/index.ts';
import { SurfaceRetryLater } from '../../../../src/ports/agent-surface.ts';
import { loadHomeData } from '../../../../src/queries/home-data.ts';
import { cardOf } from '../cards/card-kit.ts';
import { dashboardCard, parseDashboardAction } from '../cards/dashboard-card.ts';
import { personalChat } from '../personal-chats.ts';
import { loadDashboardFilters, saveDashboardFilters } from './dashboard-filters.ts';
import type { TeamsInboundDeps } from './deps.ts';
import { cardAnswer, type InvokeAnswer, messageAnswer } from './invoke-answers.ts';
import { withShortWaits } from './tell.ts';

/**
 * The dashboard's buttons and filters (R26, R32), for the viewer who pressed: the filters the
 * button asks for are kept (home.ts reads them for every later redraw), the answer is the card
 * redrawn with them, and the surface redraws the card in the chat so it stays so. A refresh Teams
 * asks for on its own (`trigger: automatic`) changes nothing and only answers the viewer's card.
 */
export async function onDashboardAction(
  deps: TeamsInboundDeps,
  user: User,
  data: Record<string, unknown>,
  automatic: boolean,
): Promise<InvokeAnswer> {
  const filters = automatic ? await loadDashboardFilters(deps, user.id) : parseDashboardAction(data);
  if (!automatic) await saveDashboardFilters(deps, user.id, filters);
  const home = await loadHomeData(deps.em(), user.id, filters);
  if (!home) return messageAnswer('Your Parley user is not active, so Parley shows you nothing here.');
  if (!automatic) await deps.surface.publishHome(user.id);
  return cardAnswer(cardOf(dashboardCard(home, { filters: home.filters })));
}

/**
 * The `dashboard` command: the viewer's dashboard card in their personal chat with the app, which
 * is kept from now on, so later changes redraw it there (home.ts).
 */
export async function showDashboard(deps: TeamsInboundDeps, teamsUserId: string, user: User): Promise<void> {
  await personalChat(deps, teamsUserId);
  try {
    await withShortWaits(() => deps.surface.publishHome(user.id, { force: true }));
  } catch (err) {
    // Teams holds the chat for longer: the command is not worth failing (and Teams resending it);
    // the card is drawn with the next change, or when they ask again.
    if (!(err instanceof SurfaceRetryLater)) throw err;
    deps.logger.info({ userId: user.id, wait: err.retryAfterMs }, 'teams: dashboard not drawn yet (paced)');
  }
}
