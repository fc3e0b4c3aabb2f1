import type { EntityManager } from '@mikro-orm/postgresql';
import type { MessageKind } from '../../../src/domain/events.ts';
import type { Logger } from '../../../src/logger.ts';
import type { MirrorItem, PostStep, ThreadRef } from '../../../src/ports/agent-surface.ts';
import type { CombineLimits } from '../shared/combine-items.ts';
import { type Looked, postInOrder, type ThreadPoster } from '../shared/post-in-order.ts';
import { itemMessage } from './cards/item-message.ts';
import type { MediaLink } from './cards/item-parts.ts';
import { recordPosted } from './posted-activities.ts';
import type { TeamsApiClient } from './teams-api.ts';
import { GRAPH_SETTLE_MS, readReplies, type TeamsGraph } from './teams-lookup.ts';

export { GRAPH_SETTLE_MS } from './teams-lookup.ts';

import {
  channelOfThread,
  type TeamsPending,
  type TeamsPostRef,
  type TeamsThread,
  teamsThread,
} from './teams-thread.ts';

/**
 * Posts mirror items into a Teams thread (a channel post's replies, or a personal chat) in order
 * and once each, through the shared machinery (shared/post-in-order.ts): an attempt is recorded
 * before each post, consecutive customer and system lines are combined when the thread is paced.
 *
 * A post whose send got no answer is looked for on the next run. In a channel, Graph lists the
 * post's replies (teams-lookup.ts) and the card's hidden mark names the items: found, it is
 * kept; absent once Graph has had time to show it, it is posted again. Where nothing can be
 * looked at (a personal chat, a team without the Graph permission) the post is kept as made but
 * unconfirmed: a message may then be missing from that Teams thread (it stays in Parley), but
 * none is ever shown twice.
 */
export interface TeamsPostDeps {
  api: TeamsApiClient;
  em: () => EntityManager;
  logger: Logger;
  mediaLink: MediaLink;
  graph?: TeamsGraph;
  now?: () => number;
}

/**
 * Only items whose state never changes are combined: a reply or an AI message shows its own
 * delivery state, which updateItem redraws from that one item.
 */
const COMBINE: CombineLimits = {
  maxItems: 30,
  maxChars: 6_000,
  kinds: new Set<MessageKind>(['inbound', 'system']),
};

export function postItems(
  deps: TeamsPostDeps,
  ref: ThreadRef,
  items: MirrorItem[],
): AsyncGenerator<PostStep> {
  return postInOrder(teamsPoster(deps), teamsThread(ref), items);
}

function teamsPoster(deps: TeamsPostDeps): ThreadPoster<TeamsThread, TeamsPending> {
  const now = deps.now ?? Date.now;
  const isOwnHere = (t: TeamsThread, item: MirrorItem) =>
    item.origin?.surface === 'teams' &&
    item.origin.ref.conversation === t.conversation &&
    typeof item.origin.ref.activityId === 'string';

  return {
    surface: 'teams',
    logger: deps.logger,
    combine: COMBINE,
    now,
    place: (t) => t.conversation,
    isOwnHere,
    ownPost: (t, item): TeamsPostRef => ({
      conversation: t.conversation,
      activityId: String(item.origin!.ref.activityId),
      own: true,
    }),
    takeSlot: (t) => deps.api.takePostSlot(t.conversation),
    async post(t, items, pending) {
      const activity = itemMessage(items, {
        place: t.kind,
        conversationNumber: t.number ?? 0,
        mediaLink: deps.mediaLink,
        conversationId: t.conversation_id,
      });
      const { activityId } = await deps.api.send(t.conversation, activity, { slotTaken: true });
      await record(deps, t, activityId);
      return { ...pending, activityId };
    },
    lookFor: (t, pending) => lookFor(deps, now, t, pending),
    postRef: (t, p): TeamsPostRef => ({
      conversation: t.conversation,
      activityId: p.activityId ?? null,
      ...(p.messageIds.length > 1 ? { combined: true as const } : {}),
      ...(p.unconfirmed ? { unconfirmed: true as const } : {}),
    }),
  };
}

async function lookFor(
  deps: TeamsPostDeps,
  now: () => number,
  t: TeamsThread,
  pending: TeamsPending,
): Promise<Looked<TeamsPending>> {
  if (pending.activityId) return { state: 'found', pending };
  const keep = (reason: string): Looked<TeamsPending> => {
    deps.logger.warn(
      { conversation: t.conversation, messageIds: pending.messageIds, reason },
      'teams: a post got no answer and cannot be looked for; kept as made, so it is never shown twice (it may be missing from this Teams thread)',
    );
    return { state: 'found', pending: { ...pending, unconfirmed: true } };
  };
  if (t.kind === 'personal') return keep('a personal chat cannot be read back');
  const read = await readReplies(deps.graph, {
    team: t.team,
    channel: t.channel ?? channelOfThread(t.conversation),
    root: t.root,
  });
  if (read.state === 'impossible') return keep(read.reason);
  if (read.state === 'unknown') return read;
  const wanted = new Set(pending.messageIds);
  const found = read.replies.find((r) => r.itemIds?.some((id) => wanted.has(id)));
  if (found) {
    await record(deps, t, found.id);
    return { state: 'found', pending: { ...pending, activityId: found.id } };
  }
  const age = now() - Date.parse(pending.at);
  if (age >= GRAPH_SETTLE_MS) return { state: 'absent' };
  return {
    state: 'unknown',
    reason: 'Graph may not list it yet',
    retryAfterMs: Math.max(1_000, GRAPH_SETTLE_MS - age),
  };
}

/** Kept for removing the thread later (posted-activities.ts). */
const record = (deps: TeamsPostDeps, t: TeamsThread, activityId: string) =>
  recordPosted(deps, {
    teamsConversation: t.conversation,
    conversationId: t.conversation_id,
    activityId,
    kind: 'item',
  });
