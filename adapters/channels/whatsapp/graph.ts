import { networkErrorCode, requestNeverLeft, retryAfterMs } from '../../vendor-http.ts';
import { GraphApiError, type GraphErrorBody, GraphNetworkError } from './errors.ts';

/** How Parley reaches the Graph API: base URL (WHATSAPP_API_URL), token and a time limit per call. */
export interface GraphClient {
  apiUrl: string;
  accessToken: string;
  timeoutMs: number;
}

/**
 * One authenticated Graph call. Resolves with the response when it is 2xx; otherwise throws
 * GraphApiError (Meta answered) or GraphNetworkError (no answer, saying whether it may have arrived).
 */
export async function graphFetch(
  client: GraphClient,
  pathOrUrl: string,
  init: RequestInit = {},
): Promise<Response> {
  const url = /^https?:\/\//.test(pathOrUrl) ? pathOrUrl : `${client.apiUrl.replace(/\/$/, '')}/${pathOrUrl}`;
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${client.accessToken}`);
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(client.timeoutMs) });
  } catch (err) {
    const name = (err as Error | null)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new GraphNetworkError(`no answer within ${client.timeoutMs} ms`, true, { cause: err });
    }
    const code = networkErrorCode(err);
    const message = code ? `${(err as Error).message} (${code})` : String((err as Error)?.message ?? err);
    throw new GraphNetworkError(message, !requestNeverLeft(err), { cause: err });
  }
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as GraphErrorBody | null;
    throw new GraphApiError(res.status, body, retryAfterMs(res.headers.get('retry-after')));
  }
  return res;
}

/** A Graph call whose answer is JSON. */
export async function graphJson<T>(
  client: GraphClient,
  pathOrUrl: string,
  init: RequestInit = {},
): Promise<T> {
  const res = await graphFetch(client, pathOrUrl, init);
  return (await res.json()) as T;
}

export { retryAfterMs } from '../../vendor-http.ts';
