/**
 * The words of a chat command. Commands mix structured words (`#1042`, mentions, `confirm`) with
 * free text (a reply), so words are read one at a time and the free text is the untouched rest.
 */

export interface Token {
  /** The word without its quotes. */
  text: string;
  /** Whether any part was quoted (`"Dana Smith"`): such a word is never a keyword. */
  quoted: boolean;
  /** Where the rest of the command starts. */
  end: number;
}

// Straight quotes and the curly ones that Slack and phone keyboards substitute.
const closingQuote: Record<string, string> = { '"': '"', '“': '”', '”': '”', '„': '“' };

/**
 * The next word from `from`: up to whitespace outside quotes. A `<…>` reference (a mention
 * `<@U1|Ada Lovelace>`, an escaped link `<mailto:a@b|a@b>`) is one word even with spaces inside.
 */
export function nextToken(source: string, from: number): Token | null {
  let i = from;
  while (i < source.length && /\s/.test(source[i]!)) i++;
  if (i >= source.length) return null;
  if (source[i] === '<') {
    // A reference never holds a raw `<` (Slack escapes it), so the search stops at the next one:
    // each character is looked at by one reference at most, whatever the input.
    const close = referenceEnd(source, i);
    if (close !== -1) return { text: source.slice(i, close + 1), quoted: false, end: close + 1 };
  }
  let text = '';
  let quoted = false;
  while (i < source.length && !/\s/.test(source[i]!)) {
    const closing = closingQuote[source[i]!];
    if (closing === undefined) {
      text += source[i];
      i++;
      continue;
    }
    quoted = true;
    const end = source.indexOf(closing, i + 1);
    const stop = end === -1 ? source.length : end;
    text += source.slice(i + 1, stop);
    i = stop + 1;
  }
  return { text, quoted, end: Math.min(i, source.length) };
}

/** Where the `<…>` reference opened at `open` closes, or -1 when another `<` (or the end) comes first. */
function referenceEnd(source: string, open: number): number {
  for (let i = open + 1; i < source.length; i++) {
    if (source[i] === '>') return i;
    if (source[i] === '<') return -1;
  }
  return -1;
}

/** Every word from `from` to the end. */
export function allTokens(source: string, from: number): Token[] {
  const tokens: Token[] = [];
  for (let t = nextToken(source, from); t; t = nextToken(source, t.end)) tokens.push(t);
  return tokens;
}

/** `#1042` → 1042. */
export function conversationNumberOf(token: Token): number | null {
  if (token.quoted) return null;
  const m = /^#(\d{1,9})$/.exec(token.text);
  const n = m ? Number(m[1]) : 0;
  return n > 0 ? n : null;
}

/**
 * A user mention in the escaped form Slack sends (`<@U123ABC>`, `<@U123ABC|ada>`), which the
 * Teams surface produces from its own mentions too. Returns the platform user id.
 */
export function mentionOf(token: Token): string | null {
  const m = /^<@([^\s|>]+)(?:\|[^>]*)?>$/.exec(token.text);
  return m ? m[1]! : null;
}

/** A `<mailto:x|x>` or `<tel:x|x>` link Slack made of what the user typed, as the typed text. */
export function unlinked(text: string): string {
  const m = /^<(?:mailto|tel):([^|>]+)(?:\|([^>]*))?>$/.exec(text);
  return m ? m[1]! : text;
}

/**
 * `local@domain` with a dot inside the domain (not first, not last), no spaces, `<`, `>` or second `@`.
 * Written so no character is tried twice: the lookahead checks the domain's characters in one pass,
 * then `.[^.]*\.` finds its first dot after the first character and `.+$` the rest. (The earlier
 * `[^\s@<>]+\.[^\s@<>]+$` tried every dot against every ending: quadratic on `a@....@`.)
 */
const EMAIL = /^[^\s@<>]+@(?=[^\s@<>]+$).[^.]*\..+$/;

/** An email address, lower-cased; null when the word is not one. */
export function emailOf(text: string): string | null {
  const email = unlinked(text).trim().toLowerCase();
  return EMAIL.test(email) ? email : null;
}

/** A phone number in international form (`+15551234567`; spaces, dots, dashes and brackets dropped). */
export function phoneOf(text: string): string | null {
  const digits = unlinked(text).replace(/[\s().-]/g, '');
  return /^\+\d{6,20}$/.test(digits) ? digits : null;
}
