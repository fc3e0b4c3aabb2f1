import { AppError } from '../../../src/domain/errors.ts';
import type { RawRequest } from '../../../src/ports/customer-channel.ts';

/**
 * Twilio posts webhooks as `application/x-www-form-urlencoded`. The form is decoded strictly (the
 * signature is computed over the decoded parameters, so a lenient decoder that replaced broken
 * bytes would check a different form than the one Twilio signed).
 */
export type TwilioForm = Record<string, string | string[]>;

export function readTwilioForm(raw: RawRequest): TwilioForm {
  const type = (raw.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new AppError(
      'unsupported_media_type',
      `Twilio webhooks are sent as application/x-www-form-urlencoded; this request is ${type || 'without a Content-Type'}.`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw.body);
  } catch {
    throw new AppError('bad_request', 'The form body is not valid UTF-8.');
  }
  const form: TwilioForm = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    const prev = form[key];
    form[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return form;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new AppError(
      'bad_request',
      `The form body is malformed: "${part.slice(0, 40)}" is not valid URL encoding.`,
    );
  }
}

/** One value of a parameter (the first, if Twilio ever repeated it). */
export function field(form: TwilioForm, name: string): string | undefined {
  const v = form[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A parameter the webhook cannot do without: missing means the request is not a Twilio webhook of this kind. */
export function requiredField(form: TwilioForm, name: string, what: string): string {
  const v = field(form, name)?.trim();
  if (!v)
    throw new AppError(
      'bad_request',
      `The ${what} has no ${name}; is this URL registered for the right Twilio webhook?`,
    );
  return v;
}
