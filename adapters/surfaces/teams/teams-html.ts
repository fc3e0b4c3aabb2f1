/**
 * A small, forgiving reader for the HTML Teams puts in a message's `text` (teams-text.ts turns it
 * into plain text). It never throws and runs in linear time on any input: a `<` that does not
 * start a tag is text, an unclosed tag or comment ends the input, and each character is looked at
 * a bounded number of times (no backtracking patterns over the whole text).
 */

export type HtmlToken =
  | { kind: 'text'; text: string }
  | { kind: 'open'; name: string; attrs: Record<string, string> }
  | { kind: 'close'; name: string };

/** Elements whose content is never shown. */
const RAW = new Set(['script', 'style', 'template', 'title']);
/** Attributes read: the rest is skipped without being stored. */
const WANTED = new Set(['href', 'alt', 'itemtype']);

export function* htmlTokens(html: string): Generator<HtmlToken> {
  const lower = html.toLowerCase();
  let i = 0;
  let text = 0;
  // The next `>` at or after a position, found once per stretch of input (keeps the scan linear).
  let gt = -2;
  const nextGt = (from: number) => {
    if (gt !== -1 && gt < from) gt = html.indexOf('>', from);
    return gt;
  };
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) break;
    const c = html.charCodeAt(lt + 1);
    const isTag = isLetter(c) || c === 47 /* / */ || c === 33 /* ! */ || c === 63; /* ? */
    if (!isTag) {
      i = lt + 1;
      continue;
    }
    if (lt > text) yield { kind: 'text', text: html.slice(text, lt) };
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = text = end === -1 ? html.length : end + 3;
      continue;
    }
    const end = nextGt(lt + 1);
    if (end === -1) {
      // An unclosed tag: what follows is not shown (a browser would not show it either).
      i = text = html.length;
      break;
    }
    const inner = html.slice(lt + 1, end);
    i = text = end + 1;
    const closing = inner.startsWith('/');
    const name = /^\/?([a-zA-Z][a-zA-Z0-9:-]*)/.exec(inner)?.[1]?.toLowerCase();
    if (!name) continue; // <!DOCTYPE>, <?xml?>, </ >: nothing to show
    if (closing) {
      yield { kind: 'close', name };
      continue;
    }
    yield { kind: 'open', name, attrs: attributes(inner, name.length) };
    if (inner.endsWith('/')) yield { kind: 'close', name };
    if (RAW.has(name)) {
      const close = lower.indexOf(`</${name}`, i);
      i = text = close === -1 ? html.length : close;
    }
  }
  if (text < html.length) yield { kind: 'text', text: html.slice(text) };
}

const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSpace = (c: string | undefined) => c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f';

/** The wanted attributes of a tag's inside (`a href="…" title=x`), in one pass. */
function attributes(inner: string, nameLength: number): Record<string, string> {
  const attrs: Record<string, string> = {};
  let p = nameLength;
  while (p < inner.length) {
    while (p < inner.length && (isSpace(inner[p]) || inner[p] === '/')) p++;
    const start = p;
    while (p < inner.length && !isSpace(inner[p]) && inner[p] !== '=' && inner[p] !== '/') p++;
    const key = inner.slice(start, p).toLowerCase();
    while (p < inner.length && isSpace(inner[p])) p++;
    let value = '';
    if (inner[p] === '=') {
      p++;
      while (p < inner.length && isSpace(inner[p])) p++;
      const q = inner[p];
      if (q === '"' || q === "'") {
        const close = inner.indexOf(q, p + 1);
        value = inner.slice(p + 1, close === -1 ? inner.length : close);
        p = close === -1 ? inner.length : close + 1;
      } else {
        const from = p;
        while (p < inner.length && !isSpace(inner[p])) p++;
        value = inner.slice(from, p);
      }
    }
    if (key && WANTED.has(key) && !(key in attrs)) attrs[key] = decodeEntities(value);
    if (p === start) p++; // a stray `=` or quote: step over it
  }
  return attrs;
}

/** The named references people's messages use (Teams writes most characters as they are). */
const NAMED: Record<string, string> = Object.fromEntries(
  (
    'amp=&|lt=<|gt=>|quot="|apos=\'|nbsp=\u00a0|ensp=\u2002|emsp=\u2003|thinsp=\u2009|zwj=\u200d|zwnj=\u200c|' +
    'shy=|hellip=…|mdash=—|ndash=–|lsquo=‘|rsquo=’|sbquo=‚|ldquo=“|rdquo=”|bdquo=„|laquo=«|raquo=»|bull=•|' +
    'middot=·|copy=©|reg=®|trade=™|euro=€|pound=£|yen=¥|cent=¢|sect=§|para=¶|deg=°|plusmn=±|times=×|' +
    'divide=÷|frac12=½|frac14=¼|frac34=¾|iexcl=¡|iquest=¿|larr=←|rarr=→|uarr=↑|darr=↓'
  )
    .split('|')
    .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);

/** HTML character references decoded; an unknown name stays as written, a bad number is U+FFFD. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(
    /&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([a-zA-Z][a-zA-Z0-9]{1,31}));/g,
    (whole, dec, hex, name) => {
      if (name !== undefined) return NAMED[name] ?? NAMED[name.toLowerCase()] ?? whole;
      const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
      const valid = code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
      return valid ? String.fromCodePoint(code) : '\ufffd';
    },
  );
}
