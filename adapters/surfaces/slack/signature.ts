import { verifySlackRequest } from '@slack/bolt';

/** Slack refuses requests older than five minutes; we also refuse ones dated more than five minutes ahead. */
const WINDOW_SECONDS = 5 * 60;

export type SlackSignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Checks Slack's `X-Slack-Signature` over the raw body (Bolt's verifySlackRequest) and the
 * request timestamp window. Pure: (secret, raw body, headers, now), so it tests without a server.
 */
export function checkSlackSignature(
  signingSecret: string,
  rawBody: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  nowMs: number,
): SlackSignatureCheck {
  if (!headers.signature || !headers.timestamp) {
    return { ok: false, reason: 'X-Slack-Signature and X-Slack-Request-Timestamp are required.' };
  }
  if (!/^\d{1,12}$/.test(headers.timestamp))
    return { ok: false, reason: 'The request timestamp is not a number.' };
  const ts = Number(headers.timestamp);
  if (ts > Math.floor(nowMs / 1000) + WINDOW_SECONDS) {
    return { ok: false, reason: 'The request timestamp is in the future.' };
  }
  try {
    verifySlackRequest({
      signingSecret,
      body: rawBody,
      headers: { 'x-slack-signature': headers.signature, 'x-slack-request-timestamp': ts },
      nowMilliseconds: nowMs,
    });
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: (err as Error).message.replace(/^Failed to verify authenticity: /, '') };
  }
}
