import type { BlockAction, App as BoltApp, ButtonAction, StaticSelectAction } from '@slack/bolt';
import { parseHomeFilters } from '../../../src/queries/home-data.ts';
import type { SlackHandlerDeps } from './deps.ts';
import { escapeText } from './escape.ts';
import { loadHomeFilters, markHomeViewer, saveHomeFilters } from './home-filters-store.ts';
import { applyHomeAction, homeActionIds } from './home-view.ts';
import { onInternalChatOpened } from './internal-chat-events.ts';
import { linkedUser, lookupEmail, notLinkedText } from './linked-user.ts';

type HomeActionBody = BlockAction<ButtonAction | StaticSelectAction>;

/**
 * App Home (R26, R32): drawn when the user opens the tab, redrawn with new filters when they pick
 * one or press a tile. What it shows comes from the surface's publishHome, which reads the filters
 * stored here, so a later redraw (something changed) keeps them.
 */
export function registerHomeActions(app: BoltApp, deps: SlackHandlerDeps): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    const user = await linkedUser(deps.em(), event.user, (id) => lookupEmail(deps, id));
    if (!user) return publishNotLinked(deps, event.user);
    // The surface redraws the Home of recent viewers only, as things change.
    await markHomeViewer(deps, user.id);
    await deps.surface.publishHome(user.id);
  });

  for (const actionId of [
    homeActionIds.myFilter,
    homeActionIds.groupFilter,
    homeActionIds.teamFilter,
    homeActionIds.tile,
  ]) {
    app.action<HomeActionBody>(actionId, async ({ ack, body, action }) => {
      await ack();
      const value = action.type === 'button' ? (action.value ?? '') : (action.selected_option?.value ?? '');
      await changeFilters(deps, body, actionId, value);
    });
  }
  // "Open" is a link button: Slack opens the thread, yet still reports the click and wants an ack.
  app.action<BlockAction<ButtonAction>>(homeActionIds.open, async ({ ack, body, action }) => {
    await ack();
    // R25: an internal chat opened from here is read.
    await onInternalChatOpened(deps, body.user.id, action.value ?? '');
  });
}

async function changeFilters(deps: SlackHandlerDeps, body: HomeActionBody, actionId: string, value: string) {
  const user = await linkedUser(deps.em(), body.user.id, (id) => lookupEmail(deps, id));
  if (!user) return publishNotLinked(deps, body.user.id);
  // The filters the user is looking at are the view's; the stored ones when the view has none.
  const shown = body.view?.private_metadata;
  const current = shown ? parseHomeFilters(shown) : await loadHomeFilters(deps, user.id);
  const next = applyHomeAction(current, actionId, value);
  if (next) await saveHomeFilters(deps, user.id, next);
  await markHomeViewer(deps, user.id);
  await deps.surface.publishHome(user.id);
}

/** R33: a Slack user not linked to Parley sees how to get linked, and nothing else. */
async function publishNotLinked(deps: SlackHandlerDeps, slackUserId: string): Promise<void> {
  await deps.api.call('views.publish', {
    user_id: slackUserId,
    view: {
      type: 'home',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Parley' } },
        { type: 'section', text: { type: 'mrkdwn', text: escapeText(notLinkedText), verbatim: true } },
      ],
    },
  });
}
