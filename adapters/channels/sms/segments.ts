/**
 * How an SMS body is encoded and how many segments (billed messages) it takes. A body that only
 * uses the GSM 03.38 alphabet goes as GSM-7: 160 septets in one segment, 153 per segment when
 * concatenated (the rest is the concatenation header); the extension characters take two septets
 * and are never split across segments. Anything else (an emoji, most non-Latin scripts) makes the
 * whole body UCS-2: 70 UTF-16 units in one segment, 67 per segment, a surrogate pair never split.
 */
export interface SmsSegments {
  encoding: 'GSM-7' | 'UCS-2';
  /** Characters as a person counts them (Unicode code points), as R7's length rule does. */
  characters: number;
  segments: number;
}

// GSM 03.38 basic character set (without the escape code itself).
const gsmBasic = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡' +
    'ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
// The extension table: each is sent as ESC + the character, two septets.
const gsmExtension = new Set('^{}\\[~]|€\f');

const isGsm = (text: string) => [...text].every((ch) => gsmBasic.has(ch) || gsmExtension.has(ch));

/** Fills segments greedily with units that must stay whole (an escape pair, a surrogate pair). */
function countParts(sizes: number[], single: number, perPart: number): number {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  if (total <= single) return 1;
  let parts = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > perPart) {
      parts += 1;
      used = 0;
    }
    used += size;
  }
  return parts;
}

export function smsSegments(text: string): SmsSegments {
  const chars = [...text];
  if (isGsm(text)) {
    const septets = chars.map((ch) => (gsmExtension.has(ch) ? 2 : 1));
    return { encoding: 'GSM-7', characters: chars.length, segments: countParts(septets, 160, 153) };
  }
  const units = chars.map((ch) => ch.length);
  return { encoding: 'UCS-2', characters: chars.length, segments: countParts(units, 70, 67) };
}
