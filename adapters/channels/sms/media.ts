import type { Attachment } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';
import type { FetchedMedia } from '../../../src/ports/customer-channel.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { DownloadRefused, guardedFetch, type HostRule, readCapped } from '../../guarded-download.ts';
import { NotSentYetError } from './errors.ts';
import { basicAuth, type TwilioClient } from './twilio-api.ts';

/**
 * Where MMS media may be fetched from. A MediaUrl is on Twilio's API (`api.twilio.com`, or
 * TWILIO_API_URL for a region, proxy or fake), which answers with a redirect to a short-lived
 * signed URL on Twilio's media CDN (`mms.twiliocdn.com`; Twilio names its media hosts under
 * `twiliocdn.com`). The account's credentials go to the API host only — the CDN URL carries its
 * own signature — and nothing is fetched anywhere else, whatever a webhook or a redirect says.
 * (Media from before an account enforced HTTP auth were served from a shared Amazon S3 host; that
 * host is left out on purpose: it would open every public bucket there to a redirect.)
 */
export function twilioMediaHosts(apiUrl: string): { all: HostRule[]; api: HostRule[] } {
  const api = ['api.twilio.com', apiUrl];
  return { api, all: [...api, '*.twiliocdn.com'] };
}

/**
 * Downloads an MMS attachment by its MediaUrl, following Twilio's redirect to the file, and
 * refuses (with the size named) one larger than storage accepts — on Content-Length and while reading.
 */
export async function fetchTwilioMedia(
  client: TwilioClient,
  storage: Storage,
  attachment: Attachment,
): Promise<FetchedMedia> {
  const url = attachment.providerRef;
  if (!url) throw new AppError('bad_request', 'This attachment has no Twilio media URL to fetch.');
  const hosts = twilioMediaHosts(client.apiUrl);
  let res: Response;
  try {
    res = await guardedFetch(url, {
      hosts: hosts.all,
      credentials: { headers: { Authorization: basicAuth(client) }, to: hosts.api },
      signal: AbortSignal.timeout(Math.max(client.timeoutMs, 60_000)),
    });
  } catch (err) {
    if (err instanceof DownloadRefused) {
      throw new AppError(
        'bad_request',
        `Parley fetches MMS media only from Twilio, and this one was not: ${err.message}.`,
      );
    }
    throw new NotSentYetError(`Could not download the MMS media from Twilio: ${String(err)}`, { cause: err });
  }
  if (res.status === 404 || res.status === 410) {
    throw new AppError('not_found', 'Twilio no longer has this MMS media (it was deleted).');
  }
  if (!res.ok) throw new NotSentYetError(`Twilio answered HTTP ${res.status} for the MMS media.`);
  const data = await readCapped(res, storage, 'The MMS attachment');
  const mimeType = res.headers.get('content-type')?.split(';')[0]?.trim() || attachment.mimeType;
  return { data, mimeType, name: attachment.name };
}
