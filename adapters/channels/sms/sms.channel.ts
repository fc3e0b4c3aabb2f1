import type { CustomerChannel, RawRequest } from '../../../src/ports/customer-channel.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { classifyTwilioError } from './errors.ts';
import { readTwilioForm } from './form.ts';
import { lookupSentSms } from './lookup.ts';
import { fetchTwilioMedia } from './media.ts';
import { parseIncoming, parseStatus } from './parse.ts';
import { sendSms } from './send.ts';
import { verifyTwilioSignature } from './signature.ts';
import type { TwilioClient } from './twilio-api.ts';

export interface SmsChannelOptions {
  client: TwilioClient;
  /** PUBLIC_URL without trailing slash: signatures, status callbacks and media links use it. */
  publicUrl: string;
  storage: Storage;
  now?: () => Date;
}

/** Status callbacks come to their own path; everything else posted to the channel is an incoming message. */
const isStatusCallback = (url: string) => new URL(url).pathname.endsWith('/webhooks/twilio/status');

/** SMS and MMS through Twilio's Programmable Messaging API. */
export function createSmsChannel(opts: SmsChannelOptions): CustomerChannel {
  const now = opts.now ?? (() => new Date());
  const deps = { client: opts.client, publicUrl: opts.publicUrl, now };
  return {
    name: 'sms',
    verify: (req: RawRequest) =>
      verifyTwilioSignature(opts.client.authToken, req.url, readTwilioForm(req), req.headers),
    parse: (req: RawRequest) => {
      const form = readTwilioForm(req);
      return isStatusCallback(req.url) ? parseStatus(form, req.url, now()) : parseIncoming(form, now());
    },
    send: (out) => sendSms(deps, out),
    classify: classifyTwilioError,
    lookupSent: (out) => lookupSentSms(deps, out),
    fetchMedia: (attachment) => fetchTwilioMedia(opts.client, opts.storage, attachment),
  };
}
