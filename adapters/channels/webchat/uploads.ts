import type { EntityManager } from '@mikro-orm/postgresql';
import { type Attachment, WebchatUpload } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';

/**
 * The visitor's own uploads, as message attachments; anything else is refused by name. An upload
 * older than the upload age is refused too: the cleanup job deletes those (a little later than
 * this age, so it never deletes a file a message is being written with).
 */
export async function uploadsOf(
  em: EntityManager,
  sessionId: string,
  ids: string[],
  maxAgeMs: number,
): Promise<Attachment[]> {
  if (ids.length === 0) return [];
  const rows = await em.find(WebchatUpload, {
    id: { $in: ids },
    session: sessionId,
    createdAt: { $gt: new Date(Date.now() - maxAgeMs) },
  });
  const byId = new Map(rows.map((u) => [u.id, u]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new AppError(
      'validation_failed',
      `Attachment ${missing.join(', ')} was not uploaded in this chat session (or was uploaded too long ago); upload the file again.`,
      { attachmentIds: missing },
    );
  }
  return ids.map((id) => {
    const u = byId.get(id) as WebchatUpload;
    return {
      id: u.id,
      kind: u.kind,
      name: u.name,
      mimeType: u.mimeType,
      size: u.size,
      storageKey: u.storageKey,
      status: 'stored',
    };
  });
}
