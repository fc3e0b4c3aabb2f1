import type { EntityManager } from '@mikro-orm/postgresql';
import { WebchatSession, WebchatUpload } from '../../../src/db/entities/index.ts';
import type { Storage } from '../../../src/ports/storage.ts';

/**
 * Housekeeping of the widget API, run by the `webchatCleanup` job: uploads never sent in a
 * message are deleted after the upload age, and sessions that ended (idle) are deleted with the
 * files of their unsent uploads. A file a message carries is never touched: it is the message's.
 * Files go first, rows after, so a run that stops half-way is finished by the next one.
 */
export interface CleanupOptions {
  now: Date;
  sessionIdleMs: number;
  uploadMaxAgeMs: number;
  /** Rows handled per statement; a run goes on until a batch comes back short. */
  batch: number;
}

export interface CleanupReport {
  uploads: number;
  sessions: number;
}

/** Past their age by this much before removal, so a request that has just passed its check finishes first. */
const GRACE_MS = 10 * 60_000;
/** A backlog larger than this many batches is left for the next run. */
const MAX_ROUNDS = 20;

/** No message in the conversations of the upload's visitor carries it. */
const UNATTACHED = `not exists (
  select 1 from contact_identity i
    join conversation c on c.contact_id = i.contact_id
    join message m on m.conversation_id = c.id
  where i.account_id = s.account_id and i.channel = 'webchat' and i.address = s.address
    and m.attachments @> jsonb_build_array(jsonb_build_object('id', u.id::text)))`;

export async function cleanWebchat(
  em: EntityManager,
  storage: Storage,
  opts: CleanupOptions,
): Promise<CleanupReport> {
  const uploadCutoff = new Date(opts.now.getTime() - opts.uploadMaxAgeMs - GRACE_MS);
  const sessionCutoff = new Date(opts.now.getTime() - opts.sessionIdleMs - GRACE_MS);
  const report: CleanupReport = { uploads: 0, sessions: 0 };
  const conn = em.getConnection();

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const stale = await conn.execute<{ id: string; storage_key: string }[]>(
      `select u.id, u.storage_key from webchat_upload u join webchat_session s on s.id = u.session_id
        where u.created_at < ? and ${UNATTACHED} order by u.created_at limit ?`,
      [uploadCutoff, opts.batch],
    );
    report.uploads += await removeUploads(em, storage, stale);
    if (stale.length < opts.batch) break;
  }

  for (let round = 0; round < MAX_ROUNDS; round++) {
    const sessions = await conn.execute<{ id: string }[]>(
      `select id from webchat_session where last_seen_at < ? order by last_seen_at limit ?`,
      [sessionCutoff, opts.batch],
    );
    if (sessions.length === 0) break;
    const ids = sessions.map((s) => s.id);
    const unsent = await conn.execute<{ id: string; storage_key: string }[]>(
      `select u.id, u.storage_key from webchat_upload u join webchat_session s on s.id = u.session_id
        where u.session_id in (?) and ${UNATTACHED}`,
      [ids],
    );
    report.uploads += await removeUploads(em, storage, unsent);
    // The sent uploads' rows go with their session (cascade); their files stay with the messages.
    report.sessions += await em.nativeDelete(WebchatSession, {
      id: { $in: ids },
      lastSeenAt: { $lt: sessionCutoff },
    });
    if (sessions.length < opts.batch) break;
  }
  return report;
}

async function removeUploads(
  em: EntityManager,
  storage: Storage,
  uploads: { id: string; storage_key: string }[],
): Promise<number> {
  if (uploads.length === 0) return 0;
  for (const u of uploads) await storage.delete(u.storage_key);
  return em.nativeDelete(WebchatUpload, { id: { $in: uploads.map((u) => u.id) } });
}
