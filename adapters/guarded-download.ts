import { assertSize, type Storage, tooLarge } from '../src/ports/storage.ts';

/**
 * Downloading a file a vendor points at (a Slack file, Twilio MMS media, WhatsApp media) without
 * lending anyone else our credentials or our network: every URL — the first and each redirect —
 * must be on the vendor's host list, redirects are followed by hand, credentials go only to the
 * hosts named for them, and the body is read with a byte cap whether or not a size was announced.
 */

/**
 * `files.slack.com` (that host, https), `*.twiliocdn.com` (its subdomains, https), or a configured
 * base URL such as `https://api.twilio.test` (that exact origin: scheme, host and port).
 */
export type HostRule = string;

/** A URL outside the host list, or a redirect chain that does not end: nothing was fetched there. */
export class DownloadRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadRefused';
  }
}

const MAX_REDIRECTS = 3;

export function hostAllowed(url: URL, rules: readonly HostRule[]): boolean {
  return rules.some((rule) => {
    if (rule.includes('://')) return url.origin === new URL(rule).origin;
    if (url.protocol !== 'https:' || url.port !== '') return false;
    return rule.startsWith('*.') ? url.hostname.endsWith(rule.slice(1)) : url.hostname === rule;
  });
}

export interface DownloadRules {
  /** Where any request of the download may go. */
  hosts: readonly HostRule[];
  /** Headers (credentials) sent only to URLs matching `to`. */
  credentials?: { headers: Record<string, string>; to: readonly HostRule[] };
  signal: AbortSignal;
}

/** GETs `start`, following up to three redirects inside the host list. Network errors are thrown as fetch throws them. */
export async function guardedFetch(start: string, rules: DownloadRules): Promise<Response> {
  let url = new URL(start);
  for (let hop = 0; ; hop++) {
    if (!hostAllowed(url, rules.hosts)) {
      throw new DownloadRefused(`${url.protocol}//${url.host} is not one of the provider's file hosts`);
    }
    const creds =
      rules.credentials && hostAllowed(url, rules.credentials.to) ? rules.credentials.headers : {};
    const res = await fetch(url, { headers: creds, redirect: 'manual', signal: rules.signal });
    const location = res.headers.get('location');
    if (res.status < 300 || res.status > 399 || !location) return res;
    await res.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw new DownloadRefused(`more than ${MAX_REDIRECTS} redirects`);
    url = new URL(location, url);
  }
}

/**
 * The body, refused (AppError payload_too_large) as soon as it passes the storage
 * limit: an announced Content-Length over the limit stops it before reading, and a missing or false
 * one is caught while streaming, so no more than the limit plus one chunk is ever held.
 */
export async function readCapped(res: Response, storage: Storage, label: string): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > storage.maxBytes) {
    await res.body?.cancel();
    assertSize(storage, declared, label);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > storage.maxBytes) {
      await reader.cancel();
      throw tooLarge(storage, label); // the bytes so far, not the whole size: only the limit is named
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
