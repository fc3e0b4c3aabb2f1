import { isAppError } from '../../../src/domain/errors.ts';
import type { SendFailure } from '../../../src/ports/customer-channel.ts';

/**
 * What can go wrong talking to Twilio, and how a failed send is treated (DESIGN 6): retried when
 * Twilio certainly did not take the message, failed at once with Twilio's reason when it never
 * will, `unknown` when the request may have reached Twilio (never re-sent blindly).
 */

/** Twilio answered with an error body: `{ code, message, more_info, status }`. */
export class TwilioApiError extends Error {
  readonly status: number;
  readonly code: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(status: number, body: TwilioErrorBody | null, retryAfterMs?: number) {
    super(body?.message ?? `The Twilio API answered HTTP ${status}.`);
    this.name = 'TwilioApiError';
    this.status = status;
    this.code = typeof body?.code === 'number' ? body.code : undefined;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface TwilioErrorBody {
  code?: number;
  message?: string;
  more_info?: string;
  status?: number;
}

/**
 * No answer. `maybeSent` is false when the request cannot have reached Twilio (connection
 * refused, DNS failure) and true when it may have (timeout, connection reset mid-request).
 */
export class TwilioNetworkError extends Error {
  readonly maybeSent: boolean;
  constructor(message: string, maybeSent: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TwilioNetworkError';
    this.maybeSent = maybeSent;
  }
}

/** Something failed on our side before anything went to Twilio (storage unreachable): safe to retry. */
export class NotSentYetError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotSentYetError';
  }
}

/** Twilio's codes with what the user should do about them (Twilio's own messages name the number, not the fix). */
const explained: Record<number, string> = {
  20003:
    "Twilio refused Parley's credentials. Set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN of the account that owns the number.",
  20404: 'Twilio does not know this account or resource. Check TWILIO_ACCOUNT_SID.',
  21211: "The customer's number is not a valid phone number. Correct it on the contact.",
  21408:
    "This Twilio account may not send SMS to the customer's country. Enable the region in Twilio's Messaging Geo Permissions.",
  21606:
    'The sending number cannot send SMS to this destination. Use an SMS-capable Twilio number (check the endpoint address).',
  21608: 'A Twilio trial account can only text verified numbers. Verify the number or upgrade the account.',
  21610:
    'The customer replied STOP to this number, so they will not get messages until they text START. Use another channel.',
  21612: 'Twilio cannot route a message between this number and the customer. Try another channel.',
  21614: "The customer's number is not a mobile number and cannot receive SMS. Use another channel.",
  21617: 'The message is longer than 1600 characters. Shorten or split it.',
  21620: 'Twilio could not use an attachment link. Check PUBLIC_URL is reachable from the internet.',
  21623: 'The message has more than 10 attachments; MMS carries at most 10.',
  21659:
    'The sending number is not a Twilio number of this account (or a short code of another country). Check the endpoint address.',
  21660: 'The sending number belongs to another Twilio account. Check TWILIO_ACCOUNT_SID.',
  // Delivery errors, reported later in status callbacks.
  30001: 'The carrier queue overflowed. Send it again later.',
  30002: 'The Twilio account is suspended. See the Twilio console.',
  30003: "The customer's phone is unreachable (off or out of coverage).",
  30004: 'The message was blocked by the carrier or the customer.',
  30005: "The customer's number is unknown or no longer in service.",
  30006: "The customer's number is a landline or its carrier is unreachable. Use another channel.",
  30007:
    'The carrier filtered the message as spam. Rephrase it (fewer links) or register the number for A2P.',
  30008: 'The carrier reported an unknown error.',
  30032: 'The toll-free number is not verified for messaging. Verify it in the Twilio console.',
  30034: 'The number is not registered for US A2P 10DLC messaging. Register it in the Twilio console.',
};

/** Codes that mean "slow down, try later". */
const throttled = new Set([20429, 14107]);

/** A reason a user can read: what to do, and what Twilio said, with the code. */
export function twilioReason(code: number | undefined, message?: string): string {
  const known = code !== undefined ? explained[code] : undefined;
  const said = message?.trim();
  const tag = code !== undefined ? `Twilio error ${code}` : 'Twilio error';
  if (known) return said ? `${known} (${tag}: ${said})` : `${known} (${tag})`;
  return said ? `${tag}: ${said}` : `${tag}; Twilio gave no reason.`;
}

/** The customer's number refused further messages: the opt-out is recorded as if they had texted STOP. */
export const OPTED_OUT_CODE = 21610;

export type SmsSendFailure = SendFailure & { optedOut?: boolean };

export function classifyTwilioError(err: unknown): SmsSendFailure {
  if (err instanceof TwilioApiError) {
    const reason = twilioReason(err.code, err.message);
    if (err.status === 429 || throttled.has(err.code ?? -1)) {
      return { kind: 'retry', reason: `Twilio is rate limiting: ${reason}`, retryAfterMs: err.retryAfterMs };
    }
    // A gateway timeout says nothing about whether Twilio created the message.
    if (err.status === 504) {
      return {
        kind: 'unknown',
        reason: `Twilio's gateway timed out (${reason}); the SMS may have gone out, so Parley waits for Twilio's status instead of sending it again.`,
      };
    }
    if (err.status >= 500) {
      return {
        kind: 'retry',
        reason: `Twilio had a passing fault: ${reason}`,
        retryAfterMs: err.retryAfterMs,
      };
    }
    if (err.code === OPTED_OUT_CODE) return { kind: 'permanent', reason, optedOut: true };
    return { kind: 'permanent', reason };
  }
  if (err instanceof TwilioNetworkError) {
    return err.maybeSent
      ? {
          kind: 'unknown',
          reason: `Twilio did not answer in time (${err.message}); the SMS may have gone out, so Parley waits for Twilio's status instead of sending it again.`,
        }
      : { kind: 'retry', reason: `Could not reach the Twilio API: ${err.message}` };
  }
  if (err instanceof NotSentYetError) return { kind: 'retry', reason: err.message };
  if (isAppError(err)) return { kind: 'permanent', reason: err.message };
  return { kind: 'permanent', reason: `Parley could not send the SMS: ${String(err)}` };
}

export { retryAfterMs } from '../../vendor-http.ts';
