import type { VendorCalls } from '../../../src/metrics/vendor-calls.ts';
import { DownloadRefused, guardedFetch, type HostRule } from '../../guarded-download.ts';
import { networkErrorCode, pathLabel, requestNeverLeft, retryAfterMs } from '../../vendor-http.ts';
import { GraphApiError, type GraphErrorBody, GraphNetworkError } from './errors.ts';

/** How Parley reaches the Graph API: base URL (WHATSAPP_API_URL), token and a time limit per call. */
export interface GraphClient {
  apiUrl: string;
  accessToken: string;
  timeoutMs: number;
  /** Counts each call by method and status (metrics). */
  calls?: VendorCalls;
}

/**
 * One authenticated Graph call to a path under WHATSAPP_API_URL. Resolves with the response when it
 * is 2xx; otherwise throws GraphApiError (Meta answered) or GraphNetworkError (no answer, saying
 * whether it may have arrived).
 */
export function graphFetch(client: GraphClient, path: string, init: RequestInit = {}): Promise<Response> {
  const url = `${client.apiUrl.replace(/\/$/, '')}/${path}`;
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${client.accessToken}`);
  const method = `${(init.method ?? 'GET').toUpperCase()} ${pathLabel(path, 1)}`;
  return answered(client, method, (signal) => fetch(url, { ...init, headers, signal }));
}

/**
 * Where Meta serves the media URLs `GET /{media-id}` hands out (`https://lookaside.fbsbx.com/
 * whatsapp_business/attachments/?mid=…`), and the configured Graph host itself (a proxy or fake).
 */
export const graphMediaHosts = (client: GraphClient): HostRule[] => ['lookaside.fbsbx.com', client.apiUrl];

/**
 * Downloads a media URL Graph returned, with the token, only from Meta's media host or the Graph
 * host: a URL (or a redirect) anywhere else is refused before anything, the token included, is sent.
 */
export function graphDownload(client: GraphClient, url: string): Promise<Response> {
  const hosts = graphMediaHosts(client);
  return answered(client, 'GET media file', (signal) =>
    guardedFetch(url, {
      hosts,
      credentials: { headers: { authorization: `Bearer ${client.accessToken}` }, to: hosts },
      signal,
    }),
  );
}

async function answered(
  client: GraphClient,
  method: string,
  send: (signal: AbortSignal) => Promise<Response>,
) {
  let res: Response;
  try {
    res = await send(AbortSignal.timeout(client.timeoutMs));
  } catch (err) {
    if (err instanceof DownloadRefused) throw err;
    client.calls?.called('whatsapp', method, 'network');
    const name = (err as Error | null)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new GraphNetworkError(`no answer within ${client.timeoutMs} ms`, true, { cause: err });
    }
    const code = networkErrorCode(err);
    const message = code ? `${(err as Error).message} (${code})` : String((err as Error)?.message ?? err);
    throw new GraphNetworkError(message, !requestNeverLeft(err), { cause: err });
  }
  client.calls?.called('whatsapp', method, res.status);
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as GraphErrorBody | null;
    throw new GraphApiError(res.status, body, retryAfterMs(res.headers.get('retry-after')));
  }
  return res;
}

/** A Graph call whose answer is JSON. */
export async function graphJson<T>(client: GraphClient, path: string, init: RequestInit = {}): Promise<T> {
  const res = await graphFetch(client, path, init);
  return (await res.json()) as T;
}

export { retryAfterMs } from '../../vendor-http.ts';
