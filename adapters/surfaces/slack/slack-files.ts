import { randomUUID } from 'node:crypto';
import type { Attachment } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { assertSize, newStorageKey, type Storage } from '../../../src/ports/storage.ts';

/** A file shared in a Slack message (the fields Parley reads). */
export interface SlackFile {
  id: string;
  name?: string;
  title?: string;
  mimetype?: string;
  size?: number;
  url_private_download?: string;
  url_private?: string;
  mode?: string;
}

const DOWNLOAD_TIMEOUT_MS = 10_000;

function kindOf(mime: string): Attachment['kind'] {
  if (/^image\/(png|jpeg|gif|webp)$/.test(mime)) return 'image';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  if (/^(application\/pdf|text\/|application\/(msword|vnd\.))/.test(mime)) return 'document';
  return 'file';
}

/**
 * Files an agent attached to a thread message, downloaded with the bot token into storage so they
 * can go to the customer with the reply. Refuses (AppError) rather than sending a reply without them.
 */
export async function storeSlackFiles(
  files: readonly SlackFile[],
  deps: { storage: Storage; botToken: string },
): Promise<Attachment[]> {
  const out: Attachment[] = [];
  for (const f of files) {
    const url = f.url_private_download ?? f.url_private;
    const name = f.name ?? f.title ?? 'file';
    if (!url || f.mode === 'tombstone' || f.mode === 'hidden_by_limit') {
      throw new AppError('bad_request', `Slack did not give Parley the file "${name}". Attach it again.`);
    }
    if (f.size !== undefined) assertSize(deps.storage, f.size, `The file "${name}"`);
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${deps.botToken}` },
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
    }).catch(() => null);
    if (!res?.ok) {
      throw new AppError(
        'unavailable',
        `Parley could not download "${name}" from Slack. Try sending it again.`,
      );
    }
    const data = new Uint8Array(await res.arrayBuffer());
    assertSize(deps.storage, data.byteLength, `The file "${name}"`);
    const mimeType = f.mimetype || res.headers.get('content-type') || 'application/octet-stream';
    const storageKey = newStorageKey();
    await deps.storage.put(storageKey, data, mimeType);
    out.push({
      id: randomUUID(),
      kind: kindOf(mimeType),
      name,
      mimeType,
      size: data.byteLength,
      storageKey,
      status: 'stored',
    });
  }
  return out;
}
