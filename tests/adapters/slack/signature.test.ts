import { describe, expect, it } from 'vitest';
import { checkSlackSignature } from '../../../adapters/surfaces/slack/signature.ts';
import { SLACK_SIGNING_SECRET, slackHeaders } from '../../support/fake-slack.ts';

const body = '{"type":"event_callback","event":{"type":"message","text":"hi"}}';
const now = Date.UTC(2026, 10, 24, 12, 0, 0);
const headersAt = (at: number, secret?: string) => {
  const h = slackHeaders(body, 'application/json', { at, secret });
  return { signature: h['x-slack-signature'], timestamp: h['x-slack-request-timestamp'] };
};

describe('Slack request signatures', () => {
  it('accepts a request signed with the signing secret within five minutes', () => {
    expect(checkSlackSignature(SLACK_SIGNING_SECRET, body, headersAt(now - 60_000), now)).toEqual({
      ok: true,
    });
  });

  it('refuses another secret, a changed body, and missing headers', () => {
    expect(checkSlackSignature(SLACK_SIGNING_SECRET, body, headersAt(now, 'other-secret'), now).ok).toBe(
      false,
    );
    expect(checkSlackSignature(SLACK_SIGNING_SECRET, `${body} `, headersAt(now), now).ok).toBe(false);
    expect(
      checkSlackSignature(SLACK_SIGNING_SECRET, body, { signature: undefined, timestamp: undefined }, now),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('required') });
  });

  it('refuses a replay older than five minutes and a timestamp from the future', () => {
    const stale = checkSlackSignature(SLACK_SIGNING_SECRET, body, headersAt(now - 6 * 60_000), now);
    expect(stale).toMatchObject({ ok: false, reason: expect.stringContaining('stale') });
    const future = checkSlackSignature(SLACK_SIGNING_SECRET, body, headersAt(now + 6 * 60_000), now);
    expect(future).toMatchObject({ ok: false, reason: expect.stringContaining('future') });
    const garbage = { signature: 'v0=abc', timestamp: '12x' };
    expect(checkSlackSignature(SLACK_SIGNING_SECRET, body, garbage, now).ok).toBe(false);
  });
});
