import { describe, expect, it } from 'vitest';
import {
  classifyWhatsAppError,
  GraphApiError,
  GraphNetworkError,
  NotSentYetError,
  PartialSendError,
} from '../../../adapters/channels/whatsapp/errors.ts';
import { graphErrorBody } from '../../support/fakes/graph.ts';

const graphError = (code: number, title: string, status = 400, retryAfterMs?: number) =>
  new GraphApiError(status, graphErrorBody({ code, title }), retryAfterMs);

describe('classifying Graph API failures', () => {
  it.each([
    [4, 'Application request limit reached'],
    [80007, 'Rate limit issues'],
    [130429, 'Rate limit hit'],
    [131048, 'Spam rate limit hit'],
    [131056, '(Business Account, Consumer Account) pair rate limit hit'],
  ])('throttling code %i is retried later', (code, title) => {
    const f = classifyWhatsAppError(graphError(code, title));
    expect(f.kind).toBe('retry');
    expect(f.reason).toContain(String(code));
  });

  it('HTTP 429 and 5xx are retried, honouring Retry-After', () => {
    expect(classifyWhatsAppError(graphError(0, 'Too many', 429, 12_000))).toMatchObject({
      kind: 'retry',
      retryAfterMs: 12_000,
    });
    expect(classifyWhatsAppError(new GraphApiError(503, null))).toMatchObject({ kind: 'retry' });
    expect(classifyWhatsAppError(graphError(131000, 'Something went wrong', 500))).toMatchObject({
      kind: 'retry',
    });
  });

  it.each([
    [131047, 'Re-engagement message', /24 hours.*template/],
    [131026, 'Message undeliverable', /could not deliver/],
    [131051, 'Unsupported message type', /does not support/],
    [132000, 'Number of parameters does not match the expected number of params', /parameters/],
    [132001, 'Template name does not exist in the translation', /template does not exist/],
    [131009, 'Parameter value is not valid', /not valid/],
    [100, 'Invalid parameter', /invalid parameter/],
    [190, 'Access token has expired', /WHATSAPP_ACCESS_TOKEN/],
  ])('code %i fails at once with a reason the user can act on', (code, title, explains) => {
    const f = classifyWhatsAppError(graphError(code, title));
    expect(f.kind).toBe('permanent');
    expect(f.reason).toMatch(explains);
    expect(f.reason).toContain(`WhatsApp error ${code}`);
    expect(f.reason).toContain(title);
  });

  it('a connection refused before sending is retried; a timeout after sending is unknown, never re-sent', () => {
    expect(classifyWhatsAppError(new GraphNetworkError('connect ECONNREFUSED', false)).kind).toBe('retry');
    const timeout = classifyWhatsAppError(new GraphNetworkError('no answer within 15000 ms', true));
    expect(timeout.kind).toBe('unknown');
    expect(timeout.reason).toMatch(/may have gone out/);
  });

  it('a failure before anything went to Meta is retried; a half-sent message is not', () => {
    expect(classifyWhatsAppError(new NotSentYetError('storage down')).kind).toBe('retry');
    const partial = classifyWhatsAppError(
      new PartialSendError(1, 2, graphError(131026, 'Message undeliverable')),
    );
    expect(partial.kind).toBe('permanent');
    expect(partial.reason).toMatch(/Only the first 1 of 2/);
  });
});
