import type { CloudEnvironment } from '@microsoft/teams.api';
import { AppError } from '../../../src/domain/errors.ts';
import type { Logger } from '../../../src/logger.ts';

/** A token is renewed this long before it expires, so no call goes out with one about to lapse. */
const RENEW_BEFORE_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 10_000;

export interface TeamsTokenOptions {
  appId: string;
  password: string;
  tenantId: string;
  environment: Pick<CloudEnvironment, 'loginEndpoint' | 'botScope'>;
  logger: Logger;
  now?: () => number;
}

/**
 * Parley's own tokens for the single-tenant app: a client-credentials grant at
 * `<loginEndpoint>/<tenant>/oauth2/v2.0/token`, one cached token per scope kept until five minutes
 * before it expires. Callers asking at the same time share one request. Both the SDK (its `token`
 * option, so it never starts MSAL) and the Bot Connector client (teams-api.ts) draw from it.
 */
export interface TeamsTokenSource {
  /** A bearer token for `scope`; the cloud's Bot Framework scope by default. */
  token(scope?: string): Promise<string>;
}

interface Cached {
  token: string;
  renewAt: number;
}

export function createTeamsTokenSource(opts: TeamsTokenOptions): TeamsTokenSource {
  const now = opts.now ?? Date.now;
  const url = `${opts.environment.loginEndpoint.replace(/\/+$/, '')}/${encodeURIComponent(opts.tenantId)}/oauth2/v2.0/token`;
  const cache = new Map<string, Cached>();
  const pending = new Map<string, Promise<string>>();
  let lastRefusal = '';

  async function fetchToken(scope: string): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: opts.appId,
      client_secret: opts.password,
      scope,
    });
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      throw new AppError(
        'unavailable',
        `Could not reach ${url} for a Teams token: ${(err as Error).message}`,
      );
    }
    const json = (await res.json().catch(() => null)) as TokenResponse | null;
    if (res.ok && json?.access_token && typeof json.expires_in === 'number') {
      const lifetimeMs = json.expires_in * 1000;
      const keepMs = Math.max(lifetimeMs - RENEW_BEFORE_MS, lifetimeMs / 2);
      cache.set(scope, { token: json.access_token, renewAt: now() + keepMs });
      lastRefusal = '';
      return json.access_token;
    }
    if (res.status === 429 || res.status >= 500)
      throw new AppError(
        'unavailable',
        `Entra answered ${res.status} to a Teams token request; trying again later.`,
      );
    const refusal = describeRefusal(res.status, json);
    // Every job retries with the same bad setting: say it once, not once per job.
    if (refusal.message !== lastRefusal) {
      lastRefusal = refusal.message;
      opts.logger.error({ variable: refusal.variable, status: res.status }, refusal.message);
    }
    throw new AppError('not_configured', refusal.message, { variable: refusal.variable });
  }

  return {
    token(scope = opts.environment.botScope) {
      const hit = cache.get(scope);
      if (hit && now() < hit.renewAt) return Promise.resolve(hit.token);
      const running = pending.get(scope);
      if (running) return running;
      const request = fetchToken(scope).finally(() => pending.delete(scope));
      pending.set(scope, request);
      return request;
    },
  };
}

interface TokenResponse {
  access_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
  error_codes?: number[];
}

/** Entra's AADSTS codes for the settings an admin gets wrong, and the variable to fix. */
const VARIABLE_BY_CODE: Record<number, { variable: string; hint: string }> = {
  7000215: { variable: 'TEAMS_APP_PASSWORD', hint: 'is not a valid client secret of the app registration' },
  7000222: { variable: 'TEAMS_APP_PASSWORD', hint: 'has expired; create a new client secret' },
  700016: {
    variable: 'TEAMS_APP_ID',
    hint: 'names no app registered in TEAMS_TENANT_ID (a wrong id, or the app lives in another tenant)',
  },
  90002: { variable: 'TEAMS_TENANT_ID', hint: 'names no Entra tenant' },
  900023: { variable: 'TEAMS_TENANT_ID', hint: 'is not a tenant id' },
  70011: { variable: 'TEAMS_BOT_SCOPE', hint: 'is not a scope Entra accepts' },
  500011: { variable: 'TEAMS_BOT_SCOPE', hint: 'names a resource this tenant does not have' },
};

function describeRefusal(status: number, json: TokenResponse | null): { variable: string; message: string } {
  const code = json?.error_codes?.find((c) => c in VARIABLE_BY_CODE);
  const known = code === undefined ? undefined : VARIABLE_BY_CODE[code];
  const said = (json?.error_description ?? json?.error ?? `HTTP ${status}`).split('\n')[0];
  if (known)
    return {
      variable: known.variable,
      message: `Entra refused Parley's Teams credentials: ${known.variable} ${known.hint} (${said}).`,
    };
  return {
    variable: 'TEAMS_APP_ID',
    message: `Entra refused Parley's Teams credentials (${said}); check TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID.`,
  };
}
