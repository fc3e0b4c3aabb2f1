import { describe, expect, it } from 'vitest';
import {
  classifyTwilioError,
  NotSentYetError,
  retryAfterMs,
  TwilioApiError,
  TwilioNetworkError,
} from '../../../adapters/channels/sms/errors.ts';

const api = (status: number, code?: number, message = 'Twilio says no', retryAfter?: number) =>
  new TwilioApiError(status, { code, message, status }, retryAfter);

describe('classifying Twilio failures', () => {
  it('rate limits and Twilio faults are retried, honouring Retry-After', () => {
    expect(classifyTwilioError(api(429, 20429, 'Too Many Requests', 7_000))).toMatchObject({
      kind: 'retry',
      retryAfterMs: 7_000,
    });
    expect(classifyTwilioError(api(500, undefined, 'Internal Server Error'))).toMatchObject({
      kind: 'retry',
    });
    expect(classifyTwilioError(api(503, undefined, 'Service Unavailable'))).toMatchObject({ kind: 'retry' });
  });

  it('a connection that never reached Twilio is retried; one that may have is unknown, never re-sent', () => {
    expect(classifyTwilioError(new TwilioNetworkError('ECONNREFUSED', false))).toMatchObject({
      kind: 'retry',
    });
    expect(classifyTwilioError(new TwilioNetworkError('no answer within 15000 ms', true))).toMatchObject({
      kind: 'unknown',
    });
    expect(classifyTwilioError(api(504, undefined, 'Gateway Timeout'))).toMatchObject({ kind: 'unknown' });
    expect(classifyTwilioError(new NotSentYetError('storage down'))).toMatchObject({ kind: 'retry' });
  });

  it.each([
    [21211, /not a valid phone number/],
    [21408, /Geo Permissions/],
    [21606, /cannot send SMS to this destination/],
    [21614, /not a mobile number/],
    [21659, /not a Twilio number of this account/],
    [20003, /TWILIO_AUTH_TOKEN/],
  ])('Twilio error %i fails at once with what to do and what Twilio said', (code, advice) => {
    const failure = classifyTwilioError(api(code === 20003 ? 401 : 400, code, `Twilio message ${code}`));
    expect(failure.kind).toBe('permanent');
    expect(failure.reason).toMatch(advice);
    expect(failure.reason).toContain(`Twilio error ${code}: Twilio message ${code}`);
  });

  it('21610 (the customer sent STOP) fails at once and is flagged as an opt-out', () => {
    expect(classifyTwilioError(api(400, 21610, 'Attempt to send to unsubscribed recipient'))).toMatchObject({
      kind: 'permanent',
      optedOut: true,
      reason: expect.stringMatching(/replied STOP/),
    });
  });

  it('an unknown 4xx keeps Twilio’s own message', () => {
    expect(classifyTwilioError(api(400, 21999, 'Something new'))).toEqual({
      kind: 'permanent',
      reason: 'Twilio error 21999: Something new',
    });
  });

  it('Retry-After is read in seconds or as a date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});
