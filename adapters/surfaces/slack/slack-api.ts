import { LogLevel, type Logger as SlackLogger, WebClient } from '@slack/web-api';
import type { Redis } from 'ioredis';
import { quietVendorCalls, type VendorCalls } from '../../../src/metrics/vendor-calls.ts';
import { SurfaceRetryLater } from '../../../src/ports/agent-surface.ts';
import { requestNeverLeft } from '../../vendor-http.ts';
import { SurfaceAmbiguousError } from '../shared/ambiguous-error.ts';
import { createPlaceLimits } from '../shared/place-limits.ts';

/**
 * Parley's one way to call the Slack Web API (DESIGN 5). Through the shared place limits it
 * honours what Slack asked for earlier (a `Retry-After` kept in Redis: per channel after a post,
 * per method otherwise) and paces posts to about one per second per channel; when it must wait it
 * throws SurfaceRetryLater without calling, so the job is delayed and other channels go on.
 * Failures come out as three kinds:
 * SurfaceRetryLater (wait), SlackAmbiguousError (the request may have been carried out: look
 * before doing it again) and SlackApiError (Slack refused; retrying will not help).
 */

/** Slack answered `ok: false` (or a non-2xx, non-429 HTTP status): `code` is Slack's error code. */
export class SlackApiError extends Error {
  readonly code: string;
  constructor(method: string, code: string) {
    super(`Slack refused ${method}: ${code}`);
    this.name = 'SlackApiError';
    this.code = code;
  }
}

/**
 * No answer (timeout, connection reset, 5xx) after the request may have reached Slack. It is a
 * SurfaceRetryLater, so callers that need not care just retry; the mirror looks before re-posting.
 */
export class SlackAmbiguousError extends SurfaceAmbiguousError {
  constructor(method: string, detail: string) {
    super(`Slack did not answer ${method} (${detail}); it may have been carried out.`, AMBIGUOUS_RETRY_MS);
    this.name = 'SlackAmbiguousError';
  }
}

/** What `auth.test` says about the app's bot: who it posts as, and the workspace URL. */
export interface SlackIdentity {
  url: string;
  teamId: string;
  botUserId: string;
  botId: string;
}

export interface SlackCallOptions {
  /** The channel (or user id, for a DM) the call addresses: holds and post pacing are kept per channel. */
  channel?: string;
  /** The post slot was already taken with `takePostSlot` (so a wait is known before anything is recorded). */
  slotTaken?: boolean;
  /** The conversation a post is for: it waits its turn in the channel's line (shared/place-limits.ts). */
  waiter?: string;
}

export interface SlackApi {
  call<T = Record<string, unknown>>(
    method: string,
    args: Record<string, unknown>,
    opts?: SlackCallOptions,
  ): Promise<T>;
  /** Takes one post slot of the channel now, or throws SurfaceRetryLater (a hold, or the pace). */
  takePostSlot(channel: string, waiter?: string): Promise<void>;
  /** Sends file bytes to an `upload_url` from files.getUploadURLExternal. */
  uploadBytes(uploadUrl: string, data: Uint8Array, contentType: string): Promise<void>;
  /** The app's identity (auth.test), asked once per process. */
  identity(): Promise<SlackIdentity>;
  /** The workspace URL (`https://acme.slack.com/`), for permalinks. */
  teamUrl(): Promise<string>;
}

export interface SlackApiOptions {
  token: string;
  /** SLACK_API_URL, ending in `/`. */
  apiUrl: string;
  redis: Redis;
  prefix: string;
  timeoutMs?: number;
  /** Posts per channel: `burst` at once, then one per `intervalMs`. */
  pace?: { burst: number; intervalMs: number };
  now?: () => number;
  /** Told when Slack refuses for a reason an admin must fix (logged with what to do). */
  onSetupError?: (method: string, code: string, whatToDo: string) => void;
  /** Counts each call by method and status, and the waits (metrics). */
  calls?: VendorCalls;
}

const AMBIGUOUS_RETRY_MS = 2_000;
/**
 * Refusals an admin fixes in Slack (invite the app, unarchive, reinstall): the work waits and is
 * tried again every few minutes, instead of failing for good or retrying hot.
 */
const SETUP_ERRORS: Record<string, string> = {
  not_in_channel: 'Invite the app into the channel (/invite @Parley).',
  channel_not_found: "Check the group's linked Slack channel id, and invite the app into it.",
  is_archived: 'The channel is archived: unarchive it or link the group to another channel.',
  invalid_auth: 'SLACK_BOT_TOKEN is not valid: reinstall the app and update the token.',
  token_revoked: 'SLACK_BOT_TOKEN was revoked: reinstall the app and update the token.',
  account_inactive: 'SLACK_BOT_TOKEN belongs to a deactivated app or workspace.',
  missing_scope: 'The app lacks a scope: update it from adapters/surfaces/slack/manifest.yaml and reinstall.',
};
const SETUP_RETRY_MS = 5 * 60_000;
const UNREACHABLE_RETRY_MS = 5_000;
const DEFAULT_RATELIMIT_MS = 1_000;
/** Methods that put a new message in a channel: Slack allows about one per second per channel. */
const POSTING = new Set(['chat.postMessage', 'files.completeUploadExternal']);

const quietLogger: SlackLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  setLevel: () => {},
  getLevel: () => LogLevel.ERROR,
  setName: () => {},
};

export function createSlackApi(opts: SlackApiOptions): SlackApi {
  const pace = opts.pace ?? { burst: 3, intervalMs: 1_000 };
  const calls = opts.calls ?? quietVendorCalls;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const client = new WebClient(opts.token, {
    slackApiUrl: opts.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
    logger: quietLogger,
    // Looked up per request, so a fetch patched after start-up (test fakes) is used.
    fetch: (input, init) => globalThis.fetch(input, init),
  });
  // Slack always names its wait (a second when its answer lost the header): no back-off is used.
  const limits = createPlaceLimits({
    redis: opts.redis,
    prefix: opts.prefix,
    surface: 'slack',
    label: 'Slack',
    place: [{ name: 'channel', limit: pace.burst, periodMs: pace.burst * pace.intervalMs }],
    ...(opts.now ? { now: opts.now } : {}),
    calls,
  });
  const hold = (scope: string, ms: number) => limits.hold(scope, ms);

  async function call<T>(
    method: string,
    args: Record<string, unknown>,
    o: SlackCallOptions = {},
  ): Promise<T> {
    const posting = !!o.channel && POSTING.has(method);
    const backingOff =
      posting && !o.slotTaken
        ? await limits.takePostSlot(o.channel!, [], o.waiter ? { waiter: o.waiter } : {})
        : await limits.checkHolds(o.channel ? [o.channel, method] : [method]);
    // Slack limits posting per channel and every other method per workspace (its tier): a 429
    // holds what it limits, so a rate-limited reaction or header redraw never holds up new posts.
    const limited = posting ? o.channel! : method;
    let res: unknown;
    try {
      res = await client.apiCall(method, args);
    } catch (err) {
      calls.called('slack', method, statusOf(err));
      throw await classify(method, err, limited);
    }
    calls.called('slack', method, 200);
    await limits.succeeded(backingOff);
    return res as T;
  }

  async function classify(method: string, err: unknown, scope: string): Promise<Error> {
    const e = err as { code?: string; retryAfter?: number; data?: Record<string, unknown> } & Error;
    switch (e.code) {
      case 'slack_webapi_rate_limited_error':
        return hold(scope, (e.retryAfter ?? 1) * 1000);
      case 'slack_webapi_platform_error': {
        const code = String(e.data?.error ?? 'unknown_error');
        if (SETUP_ERRORS[code]) {
          opts.onSetupError?.(method, code, SETUP_ERRORS[code]);
          return new SurfaceRetryLater(
            `Slack refused ${method}: ${code}. ${SETUP_ERRORS[code]}`,
            SETUP_RETRY_MS,
          );
        }
        if (code !== 'ratelimited') return new SlackApiError(method, code);
        const meta = e.data?.response_metadata as { retryAfter?: number } | undefined;
        return hold(scope, meta?.retryAfter ? meta.retryAfter * 1000 : DEFAULT_RATELIMIT_MS);
      }
      case 'slack_webapi_request_error': {
        const original = (err as { original?: unknown }).original;
        if (requestNeverLeft(original))
          return new SurfaceRetryLater(`Slack could not be reached (${method}).`, UNREACHABLE_RETRY_MS);
        return new SlackAmbiguousError(method, (original as Error | undefined)?.message ?? 'no answer');
      }
      case 'slack_webapi_http_error': {
        const status = (err as { statusCode?: number }).statusCode ?? 0;
        return status >= 500
          ? new SlackAmbiguousError(method, `HTTP ${status}`)
          : new SlackApiError(method, `http_${status}`);
      }
    }
    // A 429 without a usable Retry-After comes out of the client as a plain Error.
    if (err instanceof Error && /Retry header did not contain/.test(err.message))
      return hold(scope, DEFAULT_RATELIMIT_MS);
    return err instanceof Error ? err : new Error(String(err));
  }

  async function uploadBytes(uploadUrl: string, data: Uint8Array, contentType: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(uploadUrl, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: data,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      calls.called('slack', 'file upload', 'network');
      // Nothing is shared before files.completeUploadExternal: a failed upload is simply redone.
      throw new SurfaceRetryLater('The file upload to Slack did not complete.', UNREACHABLE_RETRY_MS);
    }
    calls.called('slack', 'file upload', res.status);
    if (res.status >= 500)
      throw new SurfaceRetryLater(`Slack's file upload answered HTTP ${res.status}.`, UNREACHABLE_RETRY_MS);
    if (!res.ok) throw new SlackApiError('file upload', `http_${res.status}`);
  }

  let identityOnce: Promise<SlackIdentity> | null = null;
  function identity(): Promise<SlackIdentity> {
    identityOnce ??= call<{ url?: string; team_id?: string; user_id?: string; bot_id?: string }>(
      'auth.test',
      {},
    ).then((r) => ({
      url: r.url ?? '',
      teamId: r.team_id ?? '',
      botUserId: r.user_id ?? '',
      botId: r.bot_id ?? '',
    }));
    identityOnce.catch(() => {
      identityOnce = null;
    });
    return identityOnce;
  }

  const takePostSlot = async (channel: string, waiter?: string) => {
    await limits.takePostSlot(channel, [], waiter ? { waiter } : {});
  };

  return { call, takePostSlot, uploadBytes, identity, teamUrl: async () => (await identity()).url };
}

/** A failed call's status for the metrics: Slack's HTTP status, `refused` for `ok: false`, `network` for no answer. */
function statusOf(err: unknown): number | 'network' | 'refused' {
  const e = err as { code?: string; statusCode?: number; data?: { error?: unknown } } | null;
  switch (e?.code) {
    case 'slack_webapi_rate_limited_error':
      return 429;
    case 'slack_webapi_platform_error':
      return e.data?.error === 'ratelimited' ? 429 : 'refused';
    case 'slack_webapi_http_error':
      return e.statusCode ?? 'network';
    case 'slack_webapi_request_error':
      return 'network';
  }
  // A 429 without a usable Retry-After comes out of the client as a plain Error.
  return err instanceof Error && /Retry header did not contain/.test(err.message) ? 429 : 'network';
}
