import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Runs `sync` holding the conversation's mirror lock; null when another run holds it. A session lock on a
 * connection of its own (one statement to take, one to give back), not a transaction's (begin,
 * lock, commit): the run's writes are each committed at once on other connections anyway, so
 * each step is saved before the next platform call, and a customer's message waits for one
 * round trip fewer before its post. A connection that cannot give the lock back is closed,
 * which gives it back.
 */
export async function withMirrorLock<T>(
  em: EntityManager,
  conversationId: string,
  sync: () => Promise<T>,
): Promise<T | null> {
  const pool = await em.getConnection().getNativeClient();
  const client = await pool.connect();
  const key = [`parley.mirror.${conversationId}`];
  let locked = false;
  try {
    const { rows } = await client.query<{ ok: boolean }>({
      name: 'parley_mirror_lock',
      text: 'select pg_try_advisory_lock(hashtext($1)) as ok',
      values: key,
    });
    locked = rows[0]?.ok === true;
    if (!locked) return null;
    return await sync();
  } finally {
    const failed: Error | null = locked
      ? await client
          .query({
            name: 'parley_mirror_unlock',
            text: 'select pg_advisory_unlock(hashtext($1))',
            values: key,
          })
          .then(
            () => null,
            (e: Error) => e,
          )
      : null;
    // A connection that could not give the lock back is closed (release with an error), which does.
    if (failed) client.release(failed);
    else client.release();
  }
}
