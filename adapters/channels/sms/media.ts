import type { Attachment } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';
import type { FetchedMedia } from '../../../src/ports/customer-channel.ts';
import { assertSize, type Storage } from '../../../src/ports/storage.ts';
import { NotSentYetError } from './errors.ts';
import { basicAuth, type TwilioClient } from './twilio-api.ts';

/**
 * Downloads an MMS attachment: its MediaUrl with the account's credentials (Twilio may enforce
 * HTTP auth on media), following Twilio's redirect to the file. Credentials only go to Twilio's
 * own hosts (or TWILIO_API_URL); fetch drops them on the cross-origin redirect. Refused, with the
 * size named, when it is larger than storage accepts — checked on Content-Length and while reading.
 */
export async function fetchTwilioMedia(
  client: TwilioClient,
  storage: Storage,
  attachment: Attachment,
): Promise<FetchedMedia> {
  const url = attachment.providerRef;
  if (!url) throw new AppError('bad_request', 'This attachment has no Twilio media URL to fetch.');
  const target = new URL(url);
  const trusted = target.hostname.endsWith('.twilio.com') || target.origin === new URL(client.apiUrl).origin;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: trusted ? { Authorization: basicAuth(client) } : {},
      redirect: 'follow',
      signal: AbortSignal.timeout(Math.max(client.timeoutMs, 60_000)),
    });
  } catch (err) {
    throw new NotSentYetError(`Could not download the MMS media from Twilio: ${String(err)}`, { cause: err });
  }
  if (res.status === 404 || res.status === 410) {
    throw new AppError('not_found', 'Twilio no longer has this MMS media (it was deleted).');
  }
  if (!res.ok) throw new NotSentYetError(`Twilio answered HTTP ${res.status} for the MMS media.`);
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > 0) assertSize(storage, declared, 'The MMS attachment');
  const data = await readLimited(res, storage);
  const mimeType = res.headers.get('content-type')?.split(';')[0]?.trim() || attachment.mimeType;
  return { data, mimeType, name: attachment.name };
}

async function readLimited(res: Response, storage: Storage): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > storage.maxBytes) {
      await reader.cancel();
      assertSize(storage, size, 'The MMS attachment');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
