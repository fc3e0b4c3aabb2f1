import { getExpectedTwilioSignature, validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import { AppError } from '../../../src/domain/errors.ts';
import type { TwilioForm } from './form.ts';

/**
 * Twilio signs each webhook with the account's auth token: `X-Twilio-Signature` is the base64
 * HMAC-SHA1 of the URL it called (PUBLIC_URL + path + query, never our socket's address) followed
 * by the sorted form parameters. Checked with the twilio package's own helper, which also tries
 * the URL with and without the default port as Twilio may sign either. Pure: no clock is involved
 * (Twilio's signature carries no timestamp; a replay is absorbed by the MessageSid dedupe).
 */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  form: TwilioForm,
  headers: Headers,
): void {
  const header = headers.get('x-twilio-signature')?.trim() ?? '';
  if (!header) {
    throw new AppError(
      'signature_invalid',
      'The X-Twilio-Signature header is missing; only Twilio can post here.',
    );
  }
  if (!validateRequest(authToken, header, url, form)) {
    throw new AppError(
      'signature_invalid',
      `The X-Twilio-Signature does not match ${url}; check that TWILIO_AUTH_TOKEN belongs to the account and that PUBLIC_URL is the address Twilio calls.`,
    );
  }
}

/** The signature Twilio would send (tests and the curl walkthrough use it). */
export const twilioSignature = (authToken: string, url: string, params: Record<string, string>): string =>
  getExpectedTwilioSignature(authToken, url, params);
