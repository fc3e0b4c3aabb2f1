/** Small HTTP facts every vendor adapter needs when it decides whether a failed call may be retried. */

/** Network failures that happen before a byte of the request left: the vendor cannot have it. */
const notSentCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

/** The system error code under a failed `fetch` (`ECONNREFUSED`...), if any. */
export function networkErrorCode(err: unknown): string | undefined {
  const code = (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether a failed `fetch` certainly never reached the vendor (so sending again is safe). */
export function requestNeverLeft(err: unknown): boolean {
  const code = networkErrorCode(err);
  return code !== undefined && notSentCodes.has(code);
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * A vendor call's path as a metrics label: the query and a `.json` ending go, and segments that
 * are ids become `:id`: those holding a digit, a Twilio SID (`SM…`), and the first `idSegments`
 * (Graph paths start with an id). `123/messages` → `:id/messages`.
 */
export function pathLabel(path: string, idSegments = 0): string {
  return path
    .split('?')[0]!
    .replace(/\.json$/, '')
    .split('/')
    .filter(Boolean)
    .map((segment, i) =>
      i < idSegments || /\d/.test(segment) || /^[A-Z]{2}[0-9a-fA-F]{8,}$/.test(segment) ? ':id' : segment,
    )
    .join('/');
}
