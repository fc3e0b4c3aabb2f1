import { AppError } from '../../../src/domain/errors.ts';

/**
 * Pure checks of a request to `POST /teams/messages`, made before the SDK sees it. The SDK then
 * verifies the token itself (signature against the cloud's keys, audience, expiry, serviceurl).
 */

export type IssuerCheck = { ok: true } | { ok: false; reason: string };

/**
 * The token must claim the Bot Framework as its issuer. The SDK would also take an Entra-issued
 * token (Agent 365 "agentic" activities) from any app in the tenant that asks Entra for a token
 * to this app: Parley has no agentic identities, so that path is closed here.
 */
export function checkBotFrameworkIssuer(authorization: string | undefined, issuer: string): IssuerCheck {
  if (!authorization) return { ok: false, reason: 'the Authorization header is missing' };
  const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/.exec(authorization);
  if (!match) return { ok: false, reason: 'the Authorization header is not a Bearer JWT' };
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(match[2]!, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'the token payload is not JSON' };
  }
  const iss = payload && typeof payload === 'object' ? (payload as { iss?: unknown }).iss : undefined;
  if (iss !== issuer) return { ok: false, reason: `the token was not issued by ${issuer}` };
  return { ok: true };
}

/** The activity fields the host relies on before any handler runs. */
export interface ActivityEnvelope {
  id: string;
  type: string;
  serviceUrl: string;
  conversation: { id: string };
  [field: string]: unknown;
}

/**
 * Parses the body: a JSON object with the id, type, serviceUrl and conversation every Bot
 * Framework activity carries. The serviceUrl is required because the SDK checks the token's
 * `serviceurl` claim only against an activity that names one.
 */
export function parseActivity(raw: string): ActivityEnvelope {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new AppError('bad_request', 'The Teams activity is not valid JSON.');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new AppError('bad_request', 'The Teams activity is not a JSON object.');
  const a = body as Record<string, unknown>;
  const conversation = a.conversation as { id?: unknown } | undefined;
  const missing = [
    typeof a.id === 'string' && a.id ? null : 'id',
    typeof a.type === 'string' && a.type ? null : 'type',
    typeof a.serviceUrl === 'string' && /^https?:\/\//.test(a.serviceUrl) ? null : 'serviceUrl',
    conversation && typeof conversation.id === 'string' && conversation.id ? null : 'conversation.id',
  ].filter((f): f is string => f !== null);
  if (missing.length)
    throw new AppError('bad_request', `The Teams activity lacks ${missing.join(', ')}.`, { missing });
  return a as ActivityEnvelope;
}
