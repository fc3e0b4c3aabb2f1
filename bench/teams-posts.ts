import pg from 'pg';
import type { TeamsPostRecord, TeamsRequestKind, TeamsRequestRecord } from './fake-teams-server.ts';

/**
 * What the Teams benchmark reads back from the fake Bot Connector. A post is read once, by the
 * hidden mark on its card (`parley-items:<message ids>`, in the card's order), not by scanning
 * the activity's text: the activity carries an item's text twice (the card, and the `summary`
 * notifications show), so a scan counts one post's first item twice and before the others.
 */

export interface ShownItem {
  messageId: string;
  /** The message's text: the benchmark's token. */
  text: string;
  /** Its place in the conversation's timeline (Parley's order). */
  seq: number;
  conversationId: string;
}

export interface ShownPost {
  at: number;
  items: ShownItem[];
}

const MARK = 'parley-items:';

/** The message ids a posted activity shows, from its card's mark (none for a header card). */
function markedIds(body: string): string[] {
  const activity = JSON.parse(body) as { attachments?: { content?: { id?: unknown } }[] };
  const id = activity.attachments?.[0]?.content?.id;
  return typeof id === 'string' && id.startsWith(MARK) ? id.slice(MARK.length).split(',') : [];
}

/** The item posts among `posts`, each with its items as stored in Parley's database. */
export async function readItemPosts(databaseUrl: string, posts: TeamsPostRecord[]): Promise<ShownPost[]> {
  const marked = posts.map((p) => ({ at: p.at, ids: markedIds(p.body) })).filter((p) => p.ids.length);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string; text: string; seq: number; conversation_id: string }>(
      'select id, text, seq, conversation_id from message where id = any($1::uuid[])',
      [[...new Set(marked.flatMap((p) => p.ids))]],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return marked.map((p) => ({
      at: p.at,
      items: p.ids.map((id) => {
        const r = byId.get(id);
        if (!r) throw new Error(`A post shows message ${id}, which Parley does not have.`);
        return { messageId: id, text: r.text, seq: r.seq, conversationId: r.conversation_id };
      }),
    }));
  } finally {
    await db.end();
  }
}

/** Unreplied counts as Parley has them, by conversation. */
export async function unrepliedCounts(databaseUrl: string): Promise<Map<string, number>> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string; unreplied_count: number }>(
      'select id, unreplied_count from conversation',
    );
    return new Map(rows.map((r) => [r.id, r.unreplied_count]));
  } finally {
    await db.end();
  }
}

/**
 * Header cards whose last drawing shows the count Parley has: the header caught up once the load
 * stopped. A header card is marked `parley-thread:<conversation id>`; its summary ends in
 * "· N unreplied" (nothing when there is none).
 */
export function headersCurrent(
  latest: Map<string, string>,
  counts: Map<string, number>,
): { current: number; headers: number } {
  let current = 0;
  let headers = 0;
  for (const body of latest.values()) {
    const a = JSON.parse(body) as { summary?: string; attachments?: { content?: { id?: unknown } }[] };
    const id = a.attachments?.[0]?.content?.id;
    if (typeof id !== 'string' || !id.startsWith('parley-thread:')) continue;
    headers++;
    const shown = Number(/· (\d+) unreplied$/.exec(a.summary ?? '')?.[1] ?? 0);
    if (shown === counts.get(id.slice('parley-thread:'.length))) current++;
  }
  return { current, headers };
}

/** Requests to the Bot Connector between two times, by kind, and the 429s among them by limit. */
export function requestsBetween(requests: TeamsRequestRecord[], from: number, to: number) {
  const byKind: Partial<Record<TeamsRequestKind, number>> = {};
  const rateLimited: Record<string, number> = {};
  let total = 0;
  for (const r of requests) {
    if (r.at < from || r.at >= to) continue;
    total++;
    byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
    if (r.status === 429) rateLimited[r.limit ?? '?'] = (rateLimited[r.limit ?? '?'] ?? 0) + 1;
  }
  const seconds = Math.max(1, (to - from) / 1000);
  return { total, perSecond: Math.round((total / seconds) * 10) / 10, byKind, rateLimited };
}
