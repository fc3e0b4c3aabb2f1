/**
 * What the Bot Connector refuses in an activity Parley sends (fake-teams.ts), with Teams' error
 * codes: a message over about 28 KB (`MessageSizeTooBig`, 413), an activity that is not a message,
 * a message with neither text nor attachments, an Adaptive Card without `type: 'AdaptiveCard'`
 * or of a schema version Teams does not render (above 1.5), an attachment without a content type
 * or with a non-https `contentUrl` (`BadArgument`, 400). Each is Parley's fault, so the fake
 * records it as a problem unless the test declared the refusal.
 */

/** Teams' limit for one message, the whole activity as sent ("approximately 28 KB"). */
export const MAX_ACTIVITY_BYTES = 28 * 1024;
/** The Adaptive Card schema versions Teams renders in bot messages. */
export const CARD_VERSIONS = ['1.0', '1.1', '1.2', '1.3', '1.4', '1.5'];
export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

export interface TeamsRefusal {
  status: number;
  code: string;
  message: string;
}

const bad = (message: string): TeamsRefusal => ({ status: 400, code: 'BadArgument', message });

/** Why Teams refuses this activity body, or null when it takes it. */
export function activityRefusal(body: unknown, rawBytes: number): TeamsRefusal | null {
  if (rawBytes > MAX_ACTIVITY_BYTES)
    return { status: 413, code: 'MessageSizeTooBig', message: 'Message size too large.' };
  if (!body || typeof body !== 'object' || Array.isArray(body))
    return bad('The activity is not a JSON object.');
  const a = body as Record<string, unknown>;
  if (a.type !== 'message') return bad(`Unknown activity type ${JSON.stringify(a.type)}.`);
  const hasText = typeof a.text === 'string' && a.text.trim() !== '';
  const attachments = a.attachments;
  if (attachments !== undefined && !Array.isArray(attachments)) return bad('attachments must be an array.');
  if (!hasText && (!attachments || attachments.length === 0))
    return bad('The message has neither text nor attachments.');
  if (a.textFormat !== undefined && !['markdown', 'plain', 'xml'].includes(String(a.textFormat)))
    return bad(`Unknown textFormat ${JSON.stringify(a.textFormat)}.`);
  for (const [i, att] of (attachments ?? []).entries()) {
    const problem = attachmentProblem(att);
    if (problem) return bad(`attachments[${i}]: ${problem}`);
  }
  return null;
}

function attachmentProblem(att: unknown): string | null {
  if (!att || typeof att !== 'object') return 'not an object';
  const { contentType, content, contentUrl } = att as Record<string, unknown>;
  if (typeof contentType !== 'string' || !contentType) return 'contentType is missing';
  if (contentUrl !== undefined && !(typeof contentUrl === 'string' && /^https:\/\//.test(contentUrl)))
    return 'contentUrl must be an https URL';
  if (contentType !== ADAPTIVE_CARD)
    return content === undefined && contentUrl === undefined ? 'no content' : null;
  const card = content as Record<string, unknown> | undefined;
  if (card?.type !== 'AdaptiveCard') return "an Adaptive Card's content must have type 'AdaptiveCard'";
  if (!CARD_VERSIONS.includes(String(card.version)))
    return `Adaptive Card version ${JSON.stringify(card.version)}: Teams renders ${CARD_VERSIONS.join(', ')}`;
  if (card.body !== undefined && !Array.isArray(card.body)) return "an Adaptive Card's body must be an array";
  if (card.actions !== undefined && !Array.isArray(card.actions))
    return "an Adaptive Card's actions must be an array";
  return null;
}

/** The Bot Connector's error body. */
export const errorBody = (code: string, message: string) => ({ error: { code, message } });
