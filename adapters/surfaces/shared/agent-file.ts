import { randomUUID } from 'node:crypto';
import type { Attachment } from '../../../src/db/entities/index.ts';
import { newStorageKey, type Storage } from '../../../src/ports/storage.ts';

/**
 * A file an agent attached on a chat surface, once downloaded: put in Parley's storage and
 * described as the attachment the reply carries to the customer (Slack and Teams alike).
 */
export async function storeAgentFile(
  storage: Storage,
  file: { data: Uint8Array; name: string; mimeType: string | null | undefined },
): Promise<Attachment> {
  const mimeType = file.mimeType || 'application/octet-stream';
  const storageKey = newStorageKey();
  await storage.put(storageKey, file.data, mimeType);
  return {
    id: randomUUID(),
    kind: kindOf(mimeType),
    name: file.name,
    mimeType,
    size: file.data.byteLength,
    storageKey,
    status: 'stored',
  };
}

function kindOf(mime: string): Attachment['kind'] {
  if (/^image\/(png|jpeg|gif|webp)$/.test(mime)) return 'image';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime.startsWith('video/')) return 'video';
  if (/^(application\/pdf|text\/|application\/(msword|vnd\.))/.test(mime)) return 'document';
  return 'file';
}
