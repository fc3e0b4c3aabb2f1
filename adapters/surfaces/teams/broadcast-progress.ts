import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../../src/db/entities/index.ts';
import type { Logger } from '../../../src/logger.ts';
import type { BroadcastProgressView, PostRef } from '../../../src/ports/agent-surface.ts';
import { adaptiveCard, cardActivity, line, oneLine, run } from './cards/card-kit.ts';
import { personalChat } from './personal-chats.ts';
import type { OutboundActivity, TeamsApi } from './ports.ts';
import { TeamsApiError } from './teams-api-errors.ts';

/**
 * R8 on Teams: a broadcast's progress is one card in its creator's personal chat with the app,
 * sent once and then updated in place (the caller throttles the updates).
 */
export interface TeamsBroadcastProgressDeps {
  api: Pick<TeamsApi, 'openPersonalChat' | 'send' | 'update'>;
  em: () => EntityManager;
  logger: Logger;
}

const NOT_INSTALLED = new Set(['app_not_installed', 'app_blocked', 'blocked_by_user']);

export async function showTeamsBroadcastProgress(
  deps: TeamsBroadcastProgressDeps,
  userId: string,
  view: BroadcastProgressView,
  post: PostRef | null,
): Promise<PostRef | null> {
  const activity = broadcastProgressActivity(view);
  if (post && typeof post.conversation === 'string' && typeof post.activityId === 'string') {
    try {
      await deps.api.update(post.conversation, post.activityId, activity);
      return post;
    } catch (err) {
      // The card is gone from the chat: a new one takes its place.
      if (!(err instanceof TeamsApiError && err.code === 'not_found')) throw err;
    }
  }
  const user = await deps.em().findOne(User, userId, { fields: ['teamsUserId'] });
  if (!user?.teamsUserId) return null;
  try {
    const chat = await personalChat(deps, user.teamsUserId);
    const { activityId } = await deps.api.send(chat.conversationId, activity);
    return { conversation: chat.conversationId, activityId };
  } catch (err) {
    // The app is not installed for the user: nothing to show there; the API and CLI still show it.
    if (!(err instanceof TeamsApiError && NOT_INSTALLED.has(err.code))) throw err;
    deps.logger.warn({ code: err.code }, 'teams: a broadcast progress card could not be shown');
    return null;
  }
}

/** The card: names and reasons only ever in TextRuns (card-kit's rule for text Parley did not write). */
export function broadcastProgressActivity(view: BroadcastProgressView): OutboundActivity {
  const head = view.state === 'finished' ? 'Broadcast finished' : 'Broadcast being sent';
  const body = [
    line(run(head, { bold: true, size: 'Medium' })),
    line(run('To ', { subtle: true }), oneLine(view.audience, 120)),
    line(run('From ', { subtle: true }), oneLine(view.from, 120)),
    line(
      `${view.total} recipients · ${view.queued} queued · ${view.sent} sent · ${view.delivered} delivered · ${view.failed} failed · ${view.refused} left out`,
    ),
    ...view.reasons
      .slice(0, 8)
      .map((r) =>
        line(
          run(`${r.count} ${r.result === 'refused' ? 'left out' : 'failed'}: `, { subtle: true }),
          oneLine(r.label, 200),
        ),
      ),
    line(run(`Broadcast ${view.broadcastId}`, { subtle: true })),
  ];
  return cardActivity(
    adaptiveCard(body, [], { id: `broadcast-${view.broadcastId}` }),
    `${head}: ${view.sent + view.delivered} of ${view.total} sent`,
  );
}
