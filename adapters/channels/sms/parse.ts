import { randomUUID } from 'node:crypto';
import type { Attachment } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';
import type { InboundEvent } from '../../../src/ports/customer-channel.ts';
import { twilioReason } from './errors.ts';
import { field, requiredField, type TwilioForm } from './form.ts';
import { smsKeyword } from './keywords.ts';

/** Twilio's webhooks, turned into Parley's inbound events. Pure: the form and the time in, events out. */

/** Provider ids are recorded under the channel's name, as the deliver worker records outbound ones. */
export const PROVIDER = 'sms';

/** Twilio routes WhatsApp, Messenger and RCS through the same webhooks with a prefixed address. */
const prefixed = /^(whatsapp|messenger|rcs|fbm):/i;

/** An incoming SMS or MMS (the "A message comes in" webhook). */
export function parseIncoming(form: TwilioForm, receivedAt: Date): InboundEvent[] {
  const what = 'incoming message webhook';
  const sid = requiredField(form, 'MessageSid', what);
  const from = requiredField(form, 'From', what);
  const to = requiredField(form, 'To', what);
  if (prefixed.test(from) || prefixed.test(to)) {
    throw new AppError(
      'validation_failed',
      `Parley's SMS webhook takes SMS and MMS only; ${to} is not an SMS number. Use the WhatsApp Cloud API channel for WhatsApp.`,
    );
  }
  const body = field(form, 'Body') ?? '';
  const attachments = mediaOf(form);
  const keyword = smsKeyword(body, field(form, 'OptOutType'));
  const events: InboundEvent[] = [
    {
      type: 'message',
      endpointAddress: to,
      from: { address: from, identified: true },
      provider: PROVIDER,
      providerMessageId: sid,
      text: body === '' ? undefined : body,
      attachments: attachments.length > 0 ? attachments : undefined,
      receivedAt,
      // Agents see the keyword marked: the customer did not write to them, they changed a setting.
      meta: keyword ? { optKeyword: keyword.keyword, optAction: keyword.action } : undefined,
    },
  ];
  if (keyword && keyword.action !== 'help') {
    events.push({
      type: 'opt_change',
      endpointAddress: to,
      address: from,
      optedOut: keyword.action === 'opt_out',
      keyword: keyword.keyword,
      at: receivedAt,
    });
  }
  return events;
}

function mediaOf(form: TwilioForm): Attachment[] {
  const raw = field(form, 'NumMedia') ?? '0';
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 0 || count > 10) {
    throw new AppError('bad_request', `NumMedia "${raw}" is not a count of MMS media (0 to 10).`);
  }
  const out: Attachment[] = [];
  for (let i = 0; i < count; i++) {
    const url = requiredField(form, `MediaUrl${i}`, 'MMS webhook');
    if (!/^https:\/\//i.test(url)) throw new AppError('bad_request', `MediaUrl${i} is not an https URL.`);
    const mimeType = field(form, `MediaContentType${i}`)?.trim().toLowerCase() || 'application/octet-stream';
    const mediaSid = url.split('/').pop() || `media${i}`;
    out.push({
      id: randomUUID(),
      kind: kindOf(mimeType),
      mimeType,
      name: `${mediaSid}${extensionOf(mimeType)}`,
      providerRef: url,
      status: 'pending',
    });
  }
  return out;
}

const kindOf = (mime: string): Attachment['kind'] => {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  if (mime === 'text/vcard' || mime === 'text/x-vcard') return 'contact';
  if (mime === 'application/pdf' || mime.startsWith('text/') || mime.includes('document')) return 'document';
  return 'file';
};

const extensions: Record<string, string> = {
  'image/jpeg': '.jpg',
  'image/png': '.png',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'image/heic': '.heic',
  'video/mp4': '.mp4',
  'video/3gpp': '.3gp',
  'audio/mpeg': '.mp3',
  'audio/amr': '.amr',
  'audio/ogg': '.ogg',
  'text/vcard': '.vcf',
  'text/x-vcard': '.vcf',
  'application/pdf': '.pdf',
  'text/plain': '.txt',
};
const extensionOf = (mime: string) => extensions[mime] ?? '';

/** Twilio's message states, in Parley's forward-only delivery states (undefined: nothing to record). */
const states: Record<string, 'sent' | 'delivered' | 'read' | 'failed' | undefined> = {
  // Twilio has it: for Parley the message has left (the API call that queued it may have timed out).
  accepted: 'sent',
  scheduled: 'sent',
  queued: 'sent',
  sending: 'sent',
  sent: 'sent',
  delivered: 'delivered',
  // Only some parts arrived: not proof the customer has it.
  partially_delivered: 'sent',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

/**
 * A status callback. Parley's StatusCallback URL carries `mid=<our message id>`, so a callback
 * settles a send whose API answer never came back. Statuses Twilio adds later are ignored (200,
 * nothing written) rather than refused, so a new Twilio state never makes callbacks fail.
 */
export function parseStatus(form: TwilioForm, url: string, at: Date): InboundEvent[] {
  const what = 'status callback';
  const sid = requiredField(form, 'MessageSid', what);
  const status = requiredField(form, 'MessageStatus', what).toLowerCase();
  const state = states[status];
  if (!state) return [];
  const mid = new URL(url).searchParams.get('mid') ?? undefined;
  const code = Number(field(form, 'ErrorCode'));
  const hasCode = Number.isInteger(code) && code > 0;
  const reason =
    state !== 'failed'
      ? undefined
      : status === 'canceled'
        ? 'The message was canceled at Twilio before it was sent.'
        : twilioReason(hasCode ? code : undefined, field(form, 'ErrorMessage'));
  return [
    {
      type: 'status',
      provider: PROVIDER,
      providerMessageId: sid,
      state,
      reason,
      parleyMessageId: mid && /^[0-9a-f-]{36}$/i.test(mid) ? mid : undefined,
      at,
    },
  ];
}
