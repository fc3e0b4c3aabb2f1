import { AppError } from '../../../src/domain/errors.ts';
import { SurfaceRetryLater } from '../../../src/ports/agent-surface.ts';
import { requestNeverLeft, retryAfterMs } from '../../vendor-http.ts';
import { SurfaceAmbiguousError } from '../shared/ambiguous-error.ts';

/**
 * How a failed Bot Connector call comes out of teams-api.ts (DESIGN 5). Teams' status codes and
 * error codes (`{ error: { code, message } }`) decide: 429 holds the place; 412, 500, 502, 503
 * and 504 are retried (Teams documents them as safe to retry: the call was not carried out); no
 * answer after the request left is ambiguous (it may have been carried out); anything else is a
 * refusal (TeamsApiError) that retrying will not change.
 */

/** Parley's names for Teams' refusals, read by the surface and the inbound handlers. */
export type TeamsErrorCode =
  | 'app_not_installed'
  | 'app_blocked'
  | 'blocked_by_user'
  | 'not_found'
  | 'forbidden'
  | 'unauthorized'
  | 'too_large'
  | 'bad_request'
  | `http_${number}`;

/** Teams refused the call; `code` is Parley's name for it, `teamsCode` and the message are Teams' words. */
export class TeamsApiError extends Error {
  readonly code: TeamsErrorCode;
  readonly status: number;
  readonly teamsCode: string | null;
  constructor(what: string, status: number, teamsCode: string | null, teamsMessage: string) {
    const code = errorCode(status, teamsCode);
    super(`Teams refused ${what}: ${status} ${teamsCode ?? ''} ${teamsMessage}`.replace(/\s+/g, ' ').trim());
    this.name = 'TeamsApiError';
    this.code = code;
    this.status = status;
    this.teamsCode = teamsCode;
  }
}

/** No answer after the request may have reached Teams: look before doing it again. */
export class TeamsAmbiguousError extends SurfaceAmbiguousError {
  constructor(what: string, detail: string) {
    super(`Teams did not answer ${what} (${detail}); it may have been carried out.`, AMBIGUOUS_RETRY_MS);
    this.name = 'TeamsAmbiguousError';
  }
}

const AMBIGUOUS_RETRY_MS = 2_000;
const UNREACHABLE_RETRY_MS = 5_000;
const SETUP_RETRY_MS = 5 * 60_000;
/** Statuses Teams documents as "retry": nothing was carried out. */
export const RETRIED_STATUSES = new Set([412, 500, 502, 503, 504]);

function errorCode(status: number, teamsCode: string | null): TeamsErrorCode {
  if (teamsCode === 'BotNotInConversationRoster') return 'app_not_installed';
  if (teamsCode === 'BotDisabledByAdmin') return 'app_blocked';
  if (teamsCode === 'ConversationBlockedByUser') return 'blocked_by_user';
  if (status === 404) return 'not_found';
  if (status === 403) return 'forbidden';
  if (status === 401) return 'unauthorized';
  if (status === 413) return 'too_large';
  if (status === 400) return 'bad_request';
  return `http_${status}`;
}

/** The parts of an axios error (the SDK's HTTP client) Parley reads. */
interface HttpFailure {
  isAxiosError?: boolean;
  code?: string;
  message?: string;
  response?: { status: number; headers?: Record<string, unknown>; data?: unknown };
}

export type Classified =
  | { kind: 'hold'; retryAfterMs?: number }
  | { kind: 'retry'; status: number }
  | { kind: 'error'; error: Error };

/** What a failure means; `what` names the call in messages, `write` whether it changes Teams. */
export function classify(err: unknown, what: string, write: boolean, now = Date.now()): Classified {
  // Parley's own token could not be had: nothing was sent.
  if (err instanceof AppError) {
    const wait = err.code === 'not_configured' ? SETUP_RETRY_MS : UNREACHABLE_RETRY_MS;
    return { kind: 'error', error: new SurfaceRetryLater(err.message, wait) };
  }
  const e = err as HttpFailure;
  if (!e?.isAxiosError) return { kind: 'error', error: err instanceof Error ? err : new Error(String(err)) };
  const res = e.response;
  if (res) {
    if (res.status === 429) {
      const header = res.headers?.['retry-after'];
      return { kind: 'hold', retryAfterMs: retryAfterMs(typeof header === 'string' ? header : null, now) };
    }
    if (RETRIED_STATUSES.has(res.status)) return { kind: 'retry', status: res.status };
    const body = (res.data as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
    const code = typeof body?.code === 'string' ? body.code : null;
    const message = typeof body?.message === 'string' ? body.message : '';
    return { kind: 'error', error: new TeamsApiError(what, res.status, code, message) };
  }
  // No answer. The system error is on the axios error itself (ECONNREFUSED...).
  if (requestNeverLeft({ cause: { code: e.code } }))
    return {
      kind: 'error',
      error: new SurfaceRetryLater(`Teams could not be reached (${what}).`, UNREACHABLE_RETRY_MS),
    };
  if (!write)
    return {
      kind: 'error',
      error: new SurfaceRetryLater(`Teams did not answer ${what}.`, UNREACHABLE_RETRY_MS),
    };
  return { kind: 'error', error: new TeamsAmbiguousError(what, e.message ?? e.code ?? 'no answer') };
}
