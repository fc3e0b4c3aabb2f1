import type { OutboundMessage, SendResult } from '../../../src/ports/customer-channel.ts';
import { type SmsSendDeps, smsBody, type TwilioMessage } from './send.ts';
import { accountPath, twilioFetch } from './twilio-api.ts';

/**
 * After a send whose answer never came back: does Twilio have this message? Twilio cannot carry
 * our id on a message, so Parley lists the recent messages from the number (or Messaging Service)
 * to the customer and matches the body. No `DateSent` filter: a message still queued at Twilio has
 * no sent date yet and would be missed, which is the one mistake that sends a second copy. The
 * window instead is on `date_created`. Two identical bodies inside the window match the newer one:
 * Parley then records the message as sent rather than risk a duplicate.
 */
export const LOOKUP_WINDOW_MS = 24 * 3600 * 1000;

/** Twilio trial accounts prefix every body. */
const TRIAL_PREFIX = 'Sent from your Twilio trial account - ';

/** Location lines `send` appends; a caller that passes only the text still recognises the SMS. */
const mapLines = /^(\n[^\n]*https:\/\/maps\.google\.com\/\?q=-?[\d.]+,-?[\d.]+)+$/;

interface MessagePage {
  messages?: TwilioMessage[];
}

export async function lookupSentSms(deps: SmsSendDeps, out: OutboundMessage): Promise<SendResult | null> {
  const query = new URLSearchParams({ To: out.to.address, PageSize: '50' });
  const service = out.endpoint.settings.messagingServiceSid;
  const viaService = typeof service === 'string' && service.trim() !== '';
  if (!viaService) query.set('From', out.endpoint.address);
  const url = `${accountPath(deps.client, 'Messages.json')}?${query}`;
  const page = await twilioFetch<MessagePage | null>(deps.client, url, { method: 'GET' });

  const body = smsBody(out);
  const since = deps.now().getTime() - LOOKUP_WINDOW_MS;
  const match = (page?.messages ?? []).find((m) => {
    if (!m.direction?.startsWith('outbound')) return false;
    if (viaService && m.messaging_service_sid !== service) return false;
    const created = m.date_created ? Date.parse(m.date_created) : Number.NaN;
    if (!(created >= since)) return false;
    const raw = m.body ?? '';
    const sent = raw.startsWith(TRIAL_PREFIX) ? raw.slice(TRIAL_PREFIX.length) : raw;
    if (sent === body) return true;
    const rest = sent.slice(body.length);
    return !out.attachments && sent.startsWith(body) && mapLines.test(body === '' ? `\n${rest}` : rest);
  });
  return match ? { providerMessageId: match.sid } : null;
}
