import type { EntityManager } from '@mikro-orm/postgresql';
import { Broadcast } from '../db/entities/index.ts';
import { capabilitiesOf } from '../domain/channels.ts';
import {
  type BroadcastProgressView,
  type PostRef,
  type SurfaceRegistry,
  SurfaceRetryLater,
} from '../ports/agent-surface.ts';
import { type BroadcastProgress, broadcastProgress } from '../queries/broadcast-progress.ts';

export type ShowProgressOutcome =
  | { outcome: 'shown' | 'unchanged' | 'missing'; followAgain: boolean }
  | { outcome: 'retry'; retryAfterMs: number };

/**
 * R8: draws a broadcast's progress in its creator's direct messages on every surface they are
 * linked on: posted once, then edited in place; each post's ref is saved as soon as it exists, so
 * a later run edits it instead of posting again. `followAgain`:
 * recipients are still waiting to be sent, so the caller looks again a little later.
 */
export async function showBroadcastProgress(
  deps: { em: EntityManager; surfaces: SurfaceRegistry; now?: () => Date },
  broadcastId: string,
): Promise<ShowProgressOutcome> {
  const now = deps.now ? deps.now() : new Date();
  // No transaction held across the platform calls: the job's connection is back in the pool while
  // Slack or Teams answers (the broadcast-progress queue runs one job at a time per process).
  const em = deps.em.fork() as EntityManager;
  const broadcast = await em.findOne(Broadcast, { id: broadcastId }, { populate: ['endpoint', 'createdBy'] });
  if (!broadcast) return { outcome: 'missing', followAgain: false };
  const progress = await broadcastProgress(em, broadcastId);
  const view = progressView(broadcast, progress);
  const shownKey = JSON.stringify([
    view.state,
    view.queued,
    view.sent,
    view.delivered,
    view.failed,
    view.refused,
  ]);
  // Sends still under way (the deliver jobs' sent/failed carry no broadcast id): look again
  // shortly. Receipts after that come as broadcast.progress events (update-delivery).
  const followAgain = progress.queued > 0;
  const posts = { ...broadcast.progressPosts };
  const linked = [...deps.surfaces.values()].filter((s) => s.userIdOf(broadcast.createdBy) !== null);
  if (shownKey === broadcast.progressShown && linked.every((s) => posts[s.name]))
    return { outcome: 'unchanged', followAgain };
  const conn = em.getConnection();
  for (const surface of linked) {
    try {
      const ref: PostRef | null = await surface.showBroadcastProgress(
        broadcast.createdBy.id,
        view,
        posts[surface.name] ?? null,
      );
      const known = posts[surface.name];
      if (ref && !known) {
        posts[surface.name] = ref;
        // Saved at once, and only if no other run saved one first: the message is edited from now on.
        await conn.execute(
          `update broadcast set progress_posts = progress_posts || ?::jsonb where id = ? and not jsonb_exists(progress_posts, ?)`,
          [JSON.stringify({ [surface.name]: ref }), broadcastId, surface.name],
        );
      } else if (ref && JSON.stringify(ref) !== JSON.stringify(known)) {
        // The old message was deleted and a new one posted in its place.
        posts[surface.name] = ref;
        await conn.execute(`update broadcast set progress_posts = progress_posts || ?::jsonb where id = ?`, [
          JSON.stringify({ [surface.name]: ref }),
          broadcastId,
        ]);
      }
    } catch (err) {
      if (err instanceof SurfaceRetryLater) return { outcome: 'retry', retryAfterMs: err.retryAfterMs };
      throw err;
    }
  }
  await conn.execute(`update broadcast set progress_shown = ?, progress_shown_at = ? where id = ?`, [
    shownKey,
    now,
    broadcastId,
  ]);
  return { outcome: 'shown', followAgain };
}

export function progressView(broadcast: Broadcast, p: BroadcastProgress): BroadcastProgressView {
  const channel = capabilitiesOf(broadcast.endpoint.channel)?.label ?? broadcast.endpoint.channel;
  const target = broadcast.target;
  return {
    broadcastId: broadcast.id,
    audience: target.tag ? `tag "${target.tag}"` : `${p.total} chosen contact${p.total === 1 ? '' : 's'}`,
    from: `${channel} · ${broadcast.endpoint.name}`,
    state: p.state,
    total: p.total,
    queued: p.queued,
    sent: p.sent,
    delivered: p.delivered + p.read,
    failed: p.failed,
    refused: p.refused,
    reasons: p.reasons.map((r) => ({ result: r.result, label: r.label, count: r.count })),
  };
}
