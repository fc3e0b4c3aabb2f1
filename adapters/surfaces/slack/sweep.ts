import { SurfaceThread } from '../../../src/db/entities/index.ts';
import type { SlackHandlerDeps } from './deps.ts';
import { onNewMessage, type SlackMessageEvent } from './thread-messages.ts';

/** Threads looked at per sweep (conversations.replies is rate-limited per workspace). */
const THREADS_PER_SWEEP = 10;
/** Only threads whose conversation moved this recently. */
const ACTIVE_WITHIN_MS = 24 * 3600_000;
/** A message younger than this may still arrive as an event: leave it to the event. */
const SETTLE_MS = 30_000;

/**
 * Slack does not replay every event it failed to deliver. For threads with recent activity, read
 * the thread and hand any person's message not handled yet to the same code as the event, in
 * order. Each message is handled at most once: replies by their unique Slack ts in PostgreSQL,
 * everything by the handled marker onNewMessage sets; the cursor per thread lives in Redis.
 */
export async function sweepMissedReplies(
  deps: SlackHandlerDeps,
  botUserId: string,
  now = Date.now(),
): Promise<number> {
  const em = deps.em();
  const threads = await em.find(
    SurfaceThread,
    {
      surface: 'slack',
      state: 'active',
      conversation: { lastMessageAt: { $gt: new Date(now - ACTIVE_WITHIN_MS) }, status: { $ne: 'deleted' } },
    },
    { orderBy: { updatedAt: 'desc' }, limit: 200 },
  );
  const cursorKey = (id: string) => `${deps.prefix}:slack:swept:${id}`;
  const sweptAt = await Promise.all(
    threads.map((t) => deps.redis.get(`${cursorKey(t.id)}:at`).then((v) => Number(v ?? 0))),
  );
  // The threads looked at longest ago go first, so every active thread gets its turn.
  const due = threads
    .map((t, i) => ({ t, at: sweptAt[i]! }))
    .sort((a, b) => a.at - b.at)
    .slice(0, THREADS_PER_SWEEP);
  let handled = 0;
  for (const { t } of due) {
    const { channel, ts } = t.ref as { channel?: string; ts?: string };
    if (!channel || !ts) continue;
    const after = (await deps.redis.get(cursorKey(t.id))) ?? ts;
    const replies = await listReplies(deps, channel, ts, after);
    let cursor = after;
    for (const m of replies) {
      if (Number(m.ts) * 1000 > now - SETTLE_MS) break;
      if (!m.bot_id && m.user && m.user !== botUserId && m.ts !== ts) {
        await onNewMessage(deps, { ...m, type: 'message', channel, thread_ts: m.thread_ts ?? ts });
        handled++;
      }
      cursor = m.ts;
    }
    await deps.redis.set(cursorKey(t.id), cursor, 'EX', 7 * 24 * 3600);
    await deps.redis.set(`${cursorKey(t.id)}:at`, String(now), 'EX', 7 * 24 * 3600);
  }
  return handled;
}

async function listReplies(deps: SlackHandlerDeps, channel: string, ts: string, after: string) {
  const out: SlackMessageEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.api.call<{
      messages?: SlackMessageEvent[];
      response_metadata?: { next_cursor?: string };
    }>('conversations.replies', {
      channel,
      ts,
      oldest: after,
      inclusive: false,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    out.push(...(page.messages ?? []).filter((m) => Number(m.ts) > Number(after)));
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);
  return out.sort((a, b) => Number(a.ts) - Number(b.ts));
}
