import type { VendorCalls } from '../../../src/metrics/vendor-calls.ts';
import { networkErrorCode, pathLabel, requestNeverLeft, retryAfterMs } from '../../vendor-http.ts';
import { TwilioApiError, type TwilioErrorBody, TwilioNetworkError } from './errors.ts';

/** How Parley reaches Twilio's REST API: base URL (TWILIO_API_URL), credentials, a time limit per call. */
export interface TwilioClient {
  apiUrl: string;
  accountSid: string;
  authToken: string;
  timeoutMs: number;
  /** Counts each call by method and status (metrics). */
  calls?: VendorCalls;
}

export const basicAuth = (c: Pick<TwilioClient, 'accountSid' | 'authToken'>) =>
  `Basic ${Buffer.from(`${c.accountSid}:${c.authToken}`).toString('base64')}`;

export const accountPath = (c: TwilioClient, resource: string) =>
  `${c.apiUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(c.accountSid)}/${resource}`;

/** Calls the API; answers the parsed JSON, or throws TwilioApiError / TwilioNetworkError. */
export async function twilioFetch<T>(
  c: TwilioClient,
  url: string,
  init: { method: 'GET' | 'POST'; form?: URLSearchParams },
): Promise<T> {
  // `POST Messages`, `GET Messages/:id/Media`: the resource under the account, without ids.
  const method = `${init.method} ${pathLabel(url.split('/Accounts/')[1]?.replace(/^[^/]*\//, '') ?? '')}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: {
        Authorization: basicAuth(c),
        Accept: 'application/json',
        ...(init.form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.form?.toString(),
      signal: AbortSignal.timeout(c.timeoutMs),
    });
  } catch (err) {
    c.calls?.called('twilio', method, 'network');
    const code = networkErrorCode(err);
    const sentNothing = requestNeverLeft(err);
    const what =
      err instanceof Error && err.name === 'TimeoutError'
        ? `no answer within ${c.timeoutMs} ms`
        : (code ?? String(err));
    throw new TwilioNetworkError(what, !sentNothing, { cause: err });
  }
  c.calls?.called('twilio', method, res.status);
  const text = await res.text().catch(() => '');
  const json = parseJson(text);
  if (!res.ok) {
    throw new TwilioApiError(
      res.status,
      json as TwilioErrorBody | null,
      retryAfterMs(res.headers.get('retry-after')),
    );
  }
  return json as T;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}
