import { createHash } from 'node:crypto';
import type { Attachment } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';
import type { FetchedMedia } from '../../../src/ports/customer-channel.ts';
import { assertSize, type Storage } from '../../../src/ports/storage.ts';
import { DownloadRefused, readCapped } from '../../guarded-download.ts';
import { classifyWhatsAppError, GraphApiError } from './errors.ts';
import { type GraphClient, graphDownload, graphJson } from './graph.ts';

/**
 * Downloads a customer's media: `GET /{media-id}` gives a short-lived URL (valid about five
 * minutes), which is fetched with the same bearer token — only on Meta's media host (graphDownload).
 * Run by the fetch-media job, never in the webhook. Media over the storage limit are refused
 * before the download, or as soon as the body passes it.
 */
interface MediaInfo {
  url?: string;
  mime_type?: string;
  sha256?: string;
  file_size?: number | string;
}

export async function fetchWhatsAppMedia(
  graph: GraphClient,
  storage: Storage,
  attachment: Attachment,
): Promise<FetchedMedia> {
  try {
    return await download(graph, storage, attachment);
  } catch (err) {
    // Meta refusing for good (expired or unknown media, revoked token) fails the attachment with
    // Meta's reason; anything passing is thrown as is, so the job tries again.
    if (err instanceof GraphApiError) {
      const failure = classifyWhatsAppError(err);
      if (failure.kind === 'permanent') {
        throw new AppError('unavailable', `WhatsApp would not hand over this media: ${failure.reason}`);
      }
    }
    throw err;
  }
}

async function download(graph: GraphClient, storage: Storage, attachment: Attachment): Promise<FetchedMedia> {
  const mediaId = attachment.providerRef;
  if (!mediaId) throw new AppError('bad_request', 'This attachment has no WhatsApp media id to download.');
  const label = attachment.name ? `The ${attachment.kind} "${attachment.name}"` : `The ${attachment.kind}`;
  const info = await graphJson<MediaInfo>(graph, encodeURIComponent(mediaId));
  if (!info.url)
    throw new AppError(
      'not_found',
      `WhatsApp has no download link for media ${mediaId}; it may have expired.`,
    );
  const declared = Number(info.file_size);
  if (Number.isFinite(declared)) assertSize(storage, declared, label);

  const res = await graphDownload(graph, info.url).catch((err: unknown) => {
    if (!(err instanceof DownloadRefused)) throw err;
    throw new AppError(
      'unavailable',
      `WhatsApp's link for this media is not on Meta's media host: ${err.message}.`,
    );
  });
  const data = await readCapped(res, storage, label);
  if (info.sha256 && createHash('sha256').update(data).digest('hex') !== info.sha256.toLowerCase()) {
    throw new Error(`${label} downloaded from WhatsApp does not match its checksum.`);
  }
  const mimeType = info.mime_type ?? attachment.mimeType ?? res.headers.get('content-type') ?? undefined;
  return { data, ...(mimeType ? { mimeType } : {}), ...(attachment.name ? { name: attachment.name } : {}) };
}
