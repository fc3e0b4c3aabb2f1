import type { WebchatUpload } from '../../../src/db/entities/index.ts';
import { INLINE_IMAGE_TYPES } from '../../../src/http/stored-file-headers.ts';

export function kindOf(mimeType: string): WebchatUpload['kind'] {
  // Images a browser may show inline (the file route's rule); SVG and the rest are files.
  if (INLINE_IMAGE_TYPES.has(mimeType)) return 'image';
  if (mimeType.startsWith('audio/')) return 'audio';
  if (mimeType.startsWith('video/')) return 'video';
  if (/^(application\/pdf|text\/|application\/(msword|vnd\.))/.test(mimeType)) return 'document';
  return 'file';
}

/** A part's declared type when it is a plain `type/subtype`; anything else is opaque bytes. */
export const cleanType = (type: string) =>
  type.length <= 100 && /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type.toLowerCase() : 'application/octet-stream';
