import type { Redis } from 'ioredis';
import type { Logger } from '../../../src/logger.ts';
import { SurfaceRetryLater, type ThreadHeader } from '../../../src/ports/agent-surface.ts';
import { cardOf } from './cards/card-kit.ts';
import { type HeaderPlace, headerCard } from './cards/header-card.ts';
import type { OutboundActivity } from './ports.ts';
import { TeamsAmbiguousError, type TeamsApiClient } from './teams-api.ts';
import { GRAPH_SETTLE_MS, readRecentPosts, type TeamsGraph } from './teams-lookup.ts';

/**
 * A conversation's post in its group's channel (R28), made once even when Teams took the root but
 * the answer was lost. The attempt is noted in Redis before posting; the next try looks through
 * the channel's newest posts (Graph) for a header card marked with the conversation
 * (`parley-thread:<id>`, the card's `id`) and keeps the one found. Where Graph cannot be read
 * the post is made again, and a header card may then show twice (never a customer's message):
 * without the root's id the conversation would have no thread at all.
 */
export interface ChannelPostDeps {
  api: TeamsApiClient;
  redis: Redis;
  prefix: string;
  logger: Logger;
  graph?: TeamsGraph;
  now?: () => number;
}

export const threadMark = (conversationId: string): string => `parley-thread:${conversationId}`;

/** The header card, marked with its conversation (the mark survives every redraw). */
export function headerActivity(header: ThreadHeader, place: HeaderPlace): OutboundActivity {
  const activity = headerCard(header, { place });
  cardOf(activity).id = threadMark(header.conversationId);
  return activity;
}

export async function openChannelPost(
  deps: ChannelPostDeps,
  channel: string,
  team: string | null,
  header: ThreadHeader,
): Promise<{ threadId: string; activityId: string }> {
  const now = deps.now ?? Date.now;
  const key = `${deps.prefix}:teams:opening:${channel}:${header.conversationId}`;
  const tried = await deps.redis.get(key);
  if (tried) {
    const found = await findPost(deps, {
      channel,
      team,
      conversationId: header.conversationId,
      at: Number(tried),
    });
    if (found) {
      await deps.redis.del(key);
      return found;
    }
  }
  await deps.redis.set(key, String(now()), 'EX', 24 * 3600);
  try {
    const post = await deps.api.createChannelPost(channel, headerActivity(header, 'channel'), {
      waiter: header.conversationId,
    });
    await deps.redis.del(key);
    return post;
  } catch (err) {
    // Certainly not posted: nothing to look for next time.
    if (!(err instanceof TeamsAmbiguousError)) await deps.redis.del(key);
    throw err;
  }
}

async function findPost(
  deps: ChannelPostDeps,
  where: { channel: string; team: string | null; conversationId: string; at: number },
): Promise<{ threadId: string; activityId: string } | null> {
  const read = await readRecentPosts(deps.graph, { channel: where.channel, team: where.team ?? undefined });
  if (read.state === 'unknown') throw new SurfaceRetryLater(`teams: ${read.reason}`, read.retryAfterMs);
  if (read.state === 'impossible') {
    deps.logger.warn(
      { channel: where.channel, reason: read.reason },
      "teams: a conversation's post got no answer and cannot be looked for; posting it again (its header card may show twice)",
    );
    return null;
  }
  const mark = threadMark(where.conversationId);
  const hit = read.replies.find((r) => r.byApp && r.cardId === mark);
  if (hit) return { threadId: `${where.channel};messageid=${hit.id}`, activityId: hit.id };
  const age = (deps.now ?? Date.now)() - where.at;
  if (age < GRAPH_SETTLE_MS)
    throw new SurfaceRetryLater('teams: Graph may not list the post yet', GRAPH_SETTLE_MS - age);
  return null;
}
