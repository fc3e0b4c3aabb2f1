/**
 * Headers for every route that serves a stored file (a customer's or an agent's upload) from
 * Parley's own domain. Such a file may be HTML or SVG; served with its own type it would run as a
 * page of Parley's origin. So: a CSP sandbox with nothing allowed (no script, no origin), no type
 * sniffing, and anything but a plain raster image downloaded instead of shown.
 */

/** Images a browser may show inline; anything else (SVG included) is downloaded, never rendered. */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
]);

/** A media type without parameters, lower-cased; anything malformed is opaque bytes. */
export function cleanContentType(type: string | null | undefined): string {
  const bare = (type ?? '').split(';')[0]!.trim().toLowerCase();
  return bare.length <= 100 && /^[\w.+-]+\/[\w.+-]+$/.test(bare) ? bare : 'application/octet-stream';
}

export interface StoredFileServing {
  contentType: string | null | undefined;
  name?: string | null;
  cacheControl: string;
  /**
   * `true` where the reader is a provider that needs the real type (Twilio takes an MMS's media type
   * from Content-Type); otherwise non-images are sent as opaque bytes to browsers.
   */
  keepType?: boolean;
}

export function storedFileHeaders(file: StoredFileServing): Record<string, string> {
  const type = cleanContentType(file.contentType);
  const inline = INLINE_IMAGE_TYPES.has(type);
  const filename = file.name ? `; filename*=UTF-8''${encodeURIComponent(file.name)}` : '';
  return {
    'Content-Type': inline || file.keepType ? type : 'application/octet-stream',
    'Content-Disposition': `${inline ? 'inline' : 'attachment'}${filename}`,
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': file.cacheControl,
  };
}
