import type { EntityManager } from '@mikro-orm/postgresql';
import { Contact, Conversation, Group, SurfaceThread } from '../db/entities/index.ts';
import type { MirrorItem } from '../ports/agent-surface.ts';
import { type ItemSource, toItems, type UnpaidInvoice } from './mirror-items.ts';

/*
 * The mirror's reads in its usual run, one statement each where the ORM took two or three: a run
 * happens for every customer message and every delivery state, and each statement is a round trip
 * and a socket write on the worker's core (bench/README.md, "The reply path").
 */

/**
 * The conversation with its group and contact, as managed entities, in one statement. The ORM's
 * `findOne` with `populate` built the same query on every run and was a third of everything the
 * worker allocated under `npm run bench -- e2e` (bench/README.md, "Garbage collection"); the rows
 * here go through the same mapping (`em.map`), so the entities are the ones `findOne` gives.
 */
export async function conversationToMirror(em: EntityManager, conversationId: string): Promise<Conversation> {
  const [row] = await em.getConnection().execute<{ c: object; g: object; k: object }[]>(
    `select to_jsonb(c) as c, to_jsonb(g) as g, to_jsonb(k) as k
     from conversation c join groups g on g.id = c.group_id join contact k on k.id = c.contact_id
     where c.id = ?`,
    [conversationId],
  );
  if (!row) throw new Error(`conversation ${conversationId} not found`);
  em.map(Group, row.g);
  em.map(Contact, row.k);
  return em.map(Conversation, row.c);
}

/** A conversation's threads on one surface (managed entities) and its unpaid invoices, in one statement. */
export async function threadsAndUnpaid(
  em: EntityManager,
  conversationId: string,
  surface: string,
): Promise<{ threads: SurfaceThread[]; unpaid: UnpaidInvoice[] }> {
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(
    `select t.*, (
       select coalesce(json_agg(json_build_object('reference', i.reference, 'amountMinor', i.amount_minor,
                                                  'currency', i.currency) order by i.created_at), '[]'::json)
       from invoice i where i.conversation_id = ? and i.status = 'unpaid'
     ) as parley_unpaid
     from (select 1) one
     left join surface_thread t on t.conversation_id = ? and t.surface = ?
     order by t.created_at, t.id`,
    [conversationId, conversationId, surface],
  );
  const unpaid = (rows[0]?.parley_unpaid ?? []) as UnpaidInvoice[];
  const threads = rows
    .filter((r) => r.id !== null)
    .map(({ parley_unpaid: _, ...row }) => em.map(SurfaceThread, row));
  return { threads, unpaid };
}

/** A post whose message changed after it was posted (R29's delivery states, R36's drafts). */
export interface StalePost {
  id: string;
  ref: Record<string, unknown>;
  item: MirrorItem;
}

/**
 * In one statement, what a thread is due: the conversation's messages after `afterSeq` (up to
 * `limit`, oldest first) and up to `limit` of the thread's posts that show an older state than
 * their message's now.
 */
export async function pendingAndStale(
  em: EntityManager,
  conv: Conversation,
  thread: SurfaceThread,
  limit: number,
): Promise<{ pending: MirrorItem[]; stale: StalePost[] }> {
  const columns = `m.id, m.seq, m.kind, m.text, m.attachments, m.delivery_state, m.delivery_reason,
    m.draft_state, m.created_at, m.meta, u.name as author_name`;
  const rows = await em.getConnection().execute<Row[]>(
    `(select false as stale, ${columns}, null::uuid as post_id, null::jsonb as post_ref
      from message m left join users u on u.id = m.author_id
      where m.conversation_id = ? and m.seq > ? order by m.seq limit ?)
     union all
     (select true, ${columns}, p.id, p.ref
      from surface_post p join message m on m.id = p.message_id left join users u on u.id = m.author_id
      where p.thread_id = ? and p.shown_state is distinct from coalesce(m.delivery_state, m.draft_state)
      order by m.seq limit ?)`,
    [conv.id, thread.mirroredSeq, limit, thread.id, limit],
  );
  const items = await toItems(em, conv, rows.map(toSource));
  const pending: MirrorItem[] = [];
  const stale: StalePost[] = [];
  rows.forEach((r, i) => {
    if (r.stale) stale.push({ id: r.post_id!, ref: r.post_ref ?? {}, item: items[i]! });
    else pending.push(items[i]!);
  });
  return { pending, stale };
}

interface Row {
  stale: boolean;
  id: string;
  seq: number;
  kind: ItemSource['kind'];
  text: string | null;
  attachments: ItemSource['attachments'] | null;
  delivery_state: string | null;
  delivery_reason: string | null;
  draft_state: string | null;
  created_at: Date | string;
  meta: Record<string, unknown> | null;
  author_name: string | null;
  post_id: string | null;
  post_ref: Record<string, unknown> | null;
}

const toSource = (r: Row): ItemSource => ({
  id: r.id,
  seq: r.seq,
  kind: r.kind,
  text: r.text,
  attachments: r.attachments ?? [],
  authorName: r.author_name,
  deliveryState: r.delivery_state,
  deliveryReason: r.delivery_reason,
  draftState: r.draft_state,
  createdAt: new Date(r.created_at),
  meta: r.meta ?? {},
});
