import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../../src/logger.ts';
import {
  type MirrorItem,
  type PostRef,
  SurfaceRetryLater,
  type ThreadRef,
} from '../../../src/ports/agent-surface.ts';
import { deliveryCard, itemMessage } from './cards/item-message.ts';
import type { MediaLink } from './cards/item-parts.ts';
import { stubCard } from './cards/stub-card.ts';
import { forgetPosted, postedIn, recordPosted, stateCardOf } from './posted-activities.ts';
import type { TeamsApiClient } from './teams-api.ts';
import { TeamsApiError } from './teams-api-errors.ts';
import { readReplies, type TeamsGraph } from './teams-lookup.ts';
import { channelOfThread, type TeamsThread, teamsPost, teamsThread } from './teams-thread.ts';

/** Changes to what is already in a Teams thread: an item's delivery state, and removing a thread. */
export interface ThreadEditDeps {
  api: TeamsApiClient;
  em: () => EntityManager;
  logger: Logger;
  mediaLink: MediaLink;
  graph?: TeamsGraph;
}

/** Deleted or never there: already the way a removal wants it. */
async function tolerant(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof TeamsApiError && err.code === 'not_found')) throw err;
  }
}

/**
 * R29: a reply's delivery state shows on its post (R36: an AI draft's decision, likewise). A post
 * the app made for the item alone is redrawn whole. A person's own message cannot be edited by the app, and a post Teams may have
 * without Parley knowing its id cannot be found, so there the state is a small card of the app's
 * own in the thread, posted once and then updated in place.
 */
export async function updateItemState(
  deps: ThreadEditDeps,
  thread: ThreadRef,
  post: PostRef,
  item: MirrorItem,
): Promise<void> {
  const t = teamsThread(thread);
  const p = teamsPost(post);
  const opts = { place: t.kind, conversationNumber: t.number ?? 0 };
  if (p.activityId && !p.own && !p.unconfirmed && !p.combined) {
    await tolerant(
      deps.api.update(
        t.conversation,
        p.activityId,
        itemMessage([item], { ...opts, mediaLink: deps.mediaLink, conversationId: t.conversation_id }),
      ),
    );
    return;
  }
  const card = deliveryCard(item, opts);
  const shown = await stateCardOf(deps, t.conversation, item.messageId);
  if (shown) {
    try {
      await deps.api.update(t.conversation, shown, card);
      return;
    } catch (err) {
      if (!(err instanceof TeamsApiError && err.code === 'not_found')) throw err;
    }
  }
  const { activityId } = await deps.api.send(t.conversation, card);
  await recordPosted(deps, {
    teamsConversation: t.conversation,
    conversationId: t.conversation_id,
    activityId,
    kind: 'state',
    messageId: item.messageId,
  });
}

/**
 * R31 / R24: the thread's content leaves Teams. 'stub' turns a channel post's root into a
 * content-free stub; 'delete' removes the root too. Everything the app posted for the
 * conversation there goes: what it recorded (posted-activities.ts) and, in a channel, whatever
 * of the app's Graph still lists in the post (a post whose send got no answer). People's own
 * messages stay: Teams lets no app delete them, so a warning is logged. Idempotent: a run stopped
 * by a rate limit goes on where it stopped.
 */
export async function removeTeamsThread(
  deps: ThreadEditDeps,
  thread: ThreadRef,
  mode: 'stub' | 'delete',
): Promise<void> {
  const t = teamsThread(thread);
  if (mode === 'stub' && t.kind === 'channel')
    await tolerant(deps.api.update(t.conversation, t.root, stubCard()));
  const recorded = await postedIn(deps, t.conversation, t.conversation_id);
  const listed = await listedReplies(deps, t);
  for (const id of recorded) {
    await tolerant(deps.api.delete(t.conversation, id));
    await forgetPosted(deps, t.conversation, id);
  }
  for (const id of listed.byApp.filter((i) => !recorded.includes(i) && i !== t.root)) {
    await tolerant(deps.api.delete(t.conversation, id));
  }
  if (mode === 'delete') await tolerant(deps.api.delete(t.conversation, t.root));
  if (listed.people > 0 || listed.unknown) {
    deps.logger.warn(
      { conversation: t.conversation, people: listed.people, unknown: listed.unknown ?? undefined },
      listed.unknown
        ? "teams: a removed thread could not be read back (Graph): a post whose send got no answer, and people's own messages, may stay in it"
        : "teams: people's own messages stay in a removed thread: Teams lets no app delete them",
    );
  }
}

/** A channel post's replies as Graph lists them: the app's, and how many are people's. */
async function listedReplies(
  deps: ThreadEditDeps,
  t: TeamsThread,
): Promise<{ byApp: string[]; people: number; unknown?: string }> {
  if (t.kind !== 'channel') return { byApp: [], people: 0 };
  const read = await readReplies(deps.graph, {
    team: t.team,
    channel: t.channel ?? channelOfThread(t.conversation),
    root: t.root,
  });
  // Graph busy or down: the removal waits for it rather than leave a post it could have found.
  if (read.state === 'unknown') throw new SurfaceRetryLater(`teams: ${read.reason}`, read.retryAfterMs);
  if (read.state !== 'read') return { byApp: [], people: 0, unknown: read.reason };
  return {
    byApp: read.replies.filter((r) => r.byApp).map((r) => r.id),
    people: read.replies.filter((r) => !r.byApp).length,
  };
}
