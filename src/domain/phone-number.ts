import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * Phone numbers are stored and shown in E.164 (`+14155550100`): the form Twilio writes in `To` and
 * `From` and the form WhatsApp numbers take once Parley reads them, so one number is one person
 * across the phone channels (R3) and an endpoint matches its webhooks. Parley has no default
 * country: a number typed without `+` and its country code is refused, never guessed.
 */

export const INTERNATIONAL_FORM =
  'international form: "+", the country code and the number, e.g. +14155550100';

export type PhoneNumberParse = { ok: true; e164: string } | { ok: false; message: string };

export function parsePhoneNumber(text: string): PhoneNumberParse {
  const typed = text.trim();
  const refuse = (why: string): PhoneNumberParse => ({ ok: false, message: `"${typed}" ${why}` });
  if (!/\d/.test(typed)) return refuse(`is not a phone number; write it in ${INTERNATIONAL_FORM}`);
  if (!typed.startsWith('+')) return refuse(`has no country code; write it in ${INTERNATIONAL_FORM}`);
  // `extract: false`: the whole text must be the number ("+1 415 555 0100 call me" is refused).
  const parsed = parsePhoneNumberFromString(typed, { extract: false });
  if (!parsed) return refuse(`is not a phone number; write it in ${INTERNATIONAL_FORM}`);
  if (parsed.ext) return refuse('has an extension, which cannot receive messages; leave the extension out');
  // Possible (the right length for its country), not "valid": example numbers such as
  // +1 555 01xx are not assigned to anyone, yet are what tests and demos use.
  if (!parsed.isPossible()) {
    return refuse(
      `is not a possible phone number for its country (too short or too long); write it in ${INTERNATIONAL_FORM}`,
    );
  }
  return { ok: true, e164: parsed.number };
}

/** The E.164 form of a number, or null when it is not one (for lookups of what a provider sent). */
export function normalisePhoneNumber(text: string): string | null {
  const parsed = parsePhoneNumber(text);
  return parsed.ok ? parsed.e164 : null;
}
