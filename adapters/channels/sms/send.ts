import type { Attachment } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';
import type { OutboundMessage, SendResult } from '../../../src/ports/customer-channel.ts';
import { TwilioNetworkError } from './errors.ts';
import { signedMediaUrl } from './media-route.ts';
import { smsSegments } from './segments.ts';
import { accountPath, type TwilioClient, twilioFetch } from './twilio-api.ts';

export interface SmsSendDeps {
  client: TwilioClient;
  /** PUBLIC_URL without trailing slash: status callbacks and media links point there. */
  publicUrl: string;
  now: () => Date;
}

/** The part of Twilio's Message resource Parley reads. */
export interface TwilioMessage {
  sid: string;
  status?: string;
  body?: string | null;
  to?: string;
  from?: string | null;
  direction?: string;
  num_media?: string;
  messaging_service_sid?: string | null;
  date_created?: string;
}

const MAX_MEDIA = 10;

/** Where Twilio reports this message's states; `mid` lets a callback settle a send whose answer was lost. */
export const statusCallbackUrl = (publicUrl: string, messageId: string) =>
  `${publicUrl}/webhooks/twilio/status?mid=${encodeURIComponent(messageId)}`;

/** The text Twilio will carry: the message, then any location as a map link (SMS has no location type). */
export function smsBody(out: Pick<OutboundMessage, 'text' | 'attachments'>): string {
  const lines = out.text ? [out.text] : [];
  for (const a of out.attachments ?? []) {
    if (a.kind === 'location' && a.latitude !== undefined && a.longitude !== undefined) {
      const label = a.caption ?? a.name;
      lines.push(`${label ? `${label}: ` : ''}https://maps.google.com/?q=${a.latitude},${a.longitude}`);
    }
  }
  return lines.join('\n');
}

const mediaOf = (out: OutboundMessage): Attachment[] =>
  (out.attachments ?? []).filter((a) => a.kind !== 'location');

/** Sends one SMS/MMS: `POST /2010-04-01/Accounts/{sid}/Messages.json`. */
export async function sendSms(deps: SmsSendDeps, out: OutboundMessage): Promise<SendResult> {
  if (out.template) {
    throw new AppError('validation_failed', 'SMS has no template messages; send plain text.');
  }
  const media = mediaOf(out);
  if (media.length > MAX_MEDIA) {
    throw new AppError(
      'validation_failed',
      `An MMS carries at most ${MAX_MEDIA} attachments; this one has ${media.length}.`,
    );
  }
  const unstored = media.find((a) => !a.storageKey);
  if (unstored) {
    throw new AppError(
      'validation_failed',
      `The attachment ${unstored.name ?? unstored.id} was never stored, so Twilio cannot fetch it. Attach it again.`,
    );
  }
  const body = smsBody(out);
  if (body === '' && media.length === 0) {
    throw new AppError('validation_failed', 'An SMS needs text or an attachment.');
  }

  const form = new URLSearchParams({ To: out.to.address });
  const service = out.endpoint.settings.messagingServiceSid;
  if (typeof service === 'string' && service.trim() !== '') form.set('MessagingServiceSid', service.trim());
  else form.set('From', out.endpoint.address);
  if (body !== '') form.set('Body', body);
  const secret = deps.client.authToken;
  for (const a of media)
    form.append('MediaUrl', signedMediaUrl(secret, deps.publicUrl, a.storageKey!, deps.now()));
  form.set('StatusCallback', statusCallbackUrl(deps.publicUrl, out.messageId));

  const created = await twilioFetch<TwilioMessage | null>(
    deps.client,
    accountPath(deps.client, 'Messages.json'),
    {
      method: 'POST',
      form,
    },
  );
  if (!created?.sid) {
    // Twilio said yes but the answer was cut off: it may well have the message.
    throw new TwilioNetworkError('Twilio accepted the request but its answer could not be read', true);
  }
  const count = smsSegments(body);
  return {
    providerMessageId: created.sid,
    meta: {
      smsEncoding: count.encoding,
      smsCharacters: count.characters,
      smsSegments: count.segments,
      ...(media.length > 0 ? { mmsMedia: media.length } : {}),
    },
  };
}
