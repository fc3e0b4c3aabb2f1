import type { EntityManager } from '@mikro-orm/postgresql';
import { SurfacePost, SurfaceThread } from '../db/entities/index.ts';

/*
 * The mirror's writes (mirror-conversation.ts), each one statement: a flush would wrap it in
 * begin and commit, two more round trips on every post of every customer message.
 */

/**
 * Records a post and where the thread now stands in one statement (atomic without begin and
 * commit around it: three round trips fewer per post than a flush). The entity keeps its
 * snapshot, so a later flush of this run writes the same ref and seq again, never older ones.
 */
export async function savePosted(
  em: EntityManager,
  thread: SurfaceThread,
  post: Record<string, unknown>,
  posts: { id: string; message_id: string; shown_state: string | null }[],
): Promise<void> {
  const now = new Date();
  await em.getConnection().execute(
    `with posts as (
       insert into surface_post (id, thread_id, message_id, ref, shown_state, created_at, updated_at)
       select (p->>'id')::uuid, ?, (p->>'message_id')::uuid, ?::jsonb, p->>'shown_state', ?, ?
       from jsonb_array_elements(?::jsonb) p
     )
     update surface_thread set ref = ?::jsonb, mirrored_seq = ?, updated_at = ? where id = ?`,
    [
      ...[thread.id, JSON.stringify(post), now, now, JSON.stringify(posts)],
      ...[JSON.stringify(thread.ref), thread.mirroredSeq, now, thread.id],
    ],
    'run',
  );
}

/** Saves a thread's ref alone, in one statement (its intent before a platform call). */
export async function saveThreadRef(em: EntityManager, thread: SurfaceThread): Promise<void> {
  await em.nativeUpdate(SurfaceThread, { id: thread.id }, { ref: thread.ref, updatedAt: new Date() });
}

/** Records the delivery state a post now shows (one row). */
export async function saveShownState(em: EntityManager, postId: string, shownState: string | null) {
  await em.nativeUpdate(SurfacePost, { id: postId }, { shownState, updatedAt: new Date() });
}
