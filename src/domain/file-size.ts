/**
 * File sizes as people read them: binary units (1 MB = 1024 × 1024 bytes, as the limits are set),
 * at most one decimal, no trailing ".0" ("25 MB", "26.2 MB", "512 KB", "700 bytes").
 */
const UNITS = ['KB', 'MB', 'GB', 'TB'] as const;

export function formatFileSize(bytes: number, decimals = 1): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let unit = 0;
  let value = bytes / 1024;
  // 1023.96 KB rounds to "1024 KB": that is "1 MB".
  while (unit < UNITS.length - 1 && Number(value.toFixed(decimals)) >= 1024) {
    value /= 1024;
    unit += 1;
  }
  return `${Number(value.toFixed(decimals))} ${UNITS[unit]}`;
}

/** A count of bytes written out in full ("26,214,401 bytes"), for when a rounded size would mislead. */
const exactBytes = (bytes: number) => `${bytes.toLocaleString('en-US')} bytes`;

/**
 * A size and a limit worded so that two different numbers never read the same: one decimal
 * when that tells them apart, up to three when needed, and the exact byte counts when even
 * that would print "25 MB" twice.
 */
export function sizeAndLimit(size: number, limit: number): { size: string; limit: string } {
  for (let decimals = 1; decimals <= 3; decimals += 1) {
    const shown = { size: formatFileSize(size, decimals), limit: formatFileSize(limit, decimals) };
    if (shown.size !== shown.limit || size === limit) return shown;
  }
  return { size: exactBytes(size), limit: `${formatFileSize(limit)} (${exactBytes(limit)})` };
}

/**
 * The refusal of a file over the limit: `"photo.jpg" is 30 MB; attachments can be at most 25 MB.`
 * Without a size (a stream cut off at the limit, whose full size was never read), only the limit.
 */
export function tooLargeMessage(name: string, limit: number, size?: number): string {
  if (size === undefined) return `${name} is too large; attachments can be at most ${formatFileSize(limit)}.`;
  const shown = sizeAndLimit(size, limit);
  return `${name} is ${shown.size}; attachments can be at most ${shown.limit}.`;
}
