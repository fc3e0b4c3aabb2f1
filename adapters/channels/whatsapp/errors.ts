import { isAppError } from '../../../src/domain/errors.ts';
import type { SendFailure } from '../../../src/ports/customer-channel.ts';

/**
 * What can go wrong talking to the Graph API, and how a failed send is treated (DESIGN 6):
 * retried when Meta certainly did not take the message, failed at once with Meta's reason when it
 * never will, `unknown` when the request may have reached Meta (never re-sent blindly).
 */

/** Graph answered with an error body: `{ error: { code, message, error_data: { details } } }`. */
export class GraphApiError extends Error {
  readonly status: number;
  readonly code: number | undefined;
  readonly details: string | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(status: number, body: GraphErrorBody | null, retryAfterMs?: number) {
    const e = body?.error;
    super(e?.message ?? `The Graph API answered HTTP ${status}.`);
    this.name = 'GraphApiError';
    this.status = status;
    this.code = typeof e?.code === 'number' ? e.code : undefined;
    this.details = e?.error_data?.details;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface GraphErrorBody {
  error?: { message?: string; code?: number; error_data?: { details?: string } };
}

/**
 * The request did not get an answer. `maybeSent` is false when it cannot have reached Meta
 * (connection refused, DNS failure) and true when it may have (timeout, connection reset).
 */
export class GraphNetworkError extends Error {
  readonly maybeSent: boolean;
  constructor(message: string, maybeSent: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GraphNetworkError';
    this.maybeSent = maybeSent;
  }
}

/** Some parts of a multi-part message went out before a later part failed: never re-send them. */
export class PartialSendError extends Error {
  constructor(sentParts: number, totalParts: number, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `Only the first ${sentParts} of ${totalParts} WhatsApp messages are known to have gone out (then: ${why}). Parley sends no part again, so nothing reaches the customer twice; send what is missing yourself.`,
    );
    this.name = 'PartialSendError';
  }
}

/** Something failed on our side before anything went to Meta (storage unreachable): safe to retry. */
export class NotSentYetError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotSentYetError';
  }
}

/** Graph codes that mean "slow down, try later". */
const throttled = new Set([4, 17, 32, 613, 80007, 130429, 131048, 131056]);
/** Graph codes that mean a passing fault on Meta's side. */
const passing = new Set([1, 2, 131000, 131016, 131057, 133004]);

/** Meta's codes with what the user should do about them (Meta's titles are terse). */
const explained: Record<number, string> = {
  0: 'WhatsApp did not accept the access token. Set a valid WHATSAPP_ACCESS_TOKEN (a system user token).',
  3: 'The Meta app lacks the capability to send WhatsApp messages. Check the app setup in Meta for Developers.',
  10: 'The access token lacks the whatsapp_business_messaging permission. Give the system user that permission.',
  100: 'WhatsApp refused a parameter of the request (invalid parameter). Check the number id and the message content.',
  190: 'The WhatsApp access token has expired or was revoked. Set a new WHATSAPP_ACCESS_TOKEN.',
  368: 'The WhatsApp Business Account is temporarily blocked for policy violations. See the account quality page in WhatsApp Manager.',
  130472: "WhatsApp did not send this marketing message: the customer's number is part of a Meta experiment.",
  130497: 'This WhatsApp Business Account may not message customers in this country.',
  131005: 'WhatsApp denied access: the access token lacks permission for this number.',
  131008: 'WhatsApp refused the message: a required parameter is missing.',
  131009:
    'WhatsApp refused the message: a parameter value is not valid (for example the recipient or a media id).',
  131021: 'The recipient is the sending number itself; pick a customer number.',
  131026:
    'WhatsApp could not deliver the message: the number may not be on WhatsApp, the customer may have blocked this business, or their app is outdated.',
  131031: 'The WhatsApp Business Account is locked. See WhatsApp Manager.',
  131037: 'The WhatsApp number needs an approved display name before it can send.',
  131042:
    'WhatsApp refused the message because of a payment problem on the business account. Check the payment method in WhatsApp Manager.',
  131045: 'The WhatsApp number is not registered correctly (certificate). Register the number again.',
  131047:
    'More than 24 hours have passed since the customer last replied, so WhatsApp refuses free-form messages. Send a template message instead.',
  131049:
    'WhatsApp chose not to deliver this marketing message to keep engagement healthy. Try again later or another way.',
  131050: 'The customer stopped marketing messages from this business.',
  131051: 'WhatsApp does not support this message type.',
  131052: 'WhatsApp could not download the media the customer sent.',
  131053: 'WhatsApp could not use the uploaded media (unsupported type or too large).',
  132000: "The number of template parameters does not match the template's placeholders. Fix the parameters.",
  132001:
    'The template does not exist in that language, or is not approved yet. Check the template name and language in WhatsApp Manager.',
  132005: 'The template text with its parameters is too long.',
  132007: "The template's content breaks WhatsApp's policy.",
  132012: 'A template parameter does not have the format the template expects.',
  132015: 'The template is paused because of low quality. Edit it or use another template.',
  132016: 'The template is disabled because of low quality. Use another template.',
  133010: 'The WhatsApp number is not registered with the Cloud API. Register it first.',
};

/** A reason a user can read: what Meta said, with the code, and what to do. */
export function whatsAppReason(code: number | undefined, title?: string, details?: string): string {
  const known = code !== undefined ? explained[code] : undefined;
  const said = [title, details].filter((s): s is string => !!s && s.trim() !== '').join(': ');
  const tag = code !== undefined ? `WhatsApp error ${code}` : 'WhatsApp error';
  if (known) return said ? `${known} (${tag}: ${said})` : `${known} (${tag})`;
  return said ? `${tag}: ${said}` : `${tag}; Meta gave no reason.`;
}

export function classifyWhatsAppError(err: unknown): SendFailure {
  if (err instanceof GraphApiError) {
    const reason = whatsAppReason(err.code, err.message, err.details);
    const code = err.code ?? -1;
    if (err.status === 429 || throttled.has(code)) {
      return {
        kind: 'retry',
        reason: `WhatsApp is rate limiting this number: ${reason}`,
        retryAfterMs: err.retryAfterMs,
      };
    }
    if ((err.status >= 500 && !(code in explained)) || passing.has(code)) {
      return {
        kind: 'retry',
        reason: `WhatsApp had a passing fault: ${reason}`,
        retryAfterMs: err.retryAfterMs,
      };
    }
    return { kind: 'permanent', reason };
  }
  if (err instanceof GraphNetworkError) {
    return err.maybeSent
      ? {
          kind: 'unknown',
          reason: `No answer from WhatsApp (${err.message}); the message may have gone out, so Parley waits for Meta's status instead of sending it again.`,
        }
      : { kind: 'retry', reason: `Could not reach the WhatsApp API: ${err.message}` };
  }
  if (err instanceof NotSentYetError) return { kind: 'retry', reason: err.message };
  if (err instanceof PartialSendError || isAppError(err)) return { kind: 'permanent', reason: err.message };
  return { kind: 'permanent', reason: `Parley could not send the WhatsApp message: ${String(err)}` };
}
