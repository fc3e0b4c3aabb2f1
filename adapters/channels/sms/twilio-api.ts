import { networkErrorCode, requestNeverLeft, retryAfterMs } from '../../vendor-http.ts';
import { TwilioApiError, type TwilioErrorBody, TwilioNetworkError } from './errors.ts';

/** How Parley reaches Twilio's REST API: base URL (TWILIO_API_URL), credentials, a time limit per call. */
export interface TwilioClient {
  apiUrl: string;
  accountSid: string;
  authToken: string;
  timeoutMs: number;
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
    const code = networkErrorCode(err);
    const sentNothing = requestNeverLeft(err);
    const what =
      err instanceof Error && err.name === 'TimeoutError'
        ? `no answer within ${c.timeoutMs} ms`
        : (code ?? String(err));
    throw new TwilioNetworkError(what, !sentNothing, { cause: err });
  }
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
