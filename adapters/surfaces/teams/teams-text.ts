import { decodeEntities, type HtmlToken, htmlTokens } from './teams-html.ts';

/**
 * Text between Teams and Parley, both ways.
 * - teamsHtmlToText: Teams sends what a person typed as HTML (`<p>`, `<br>`, `<at>`, lists, code,
 *   links, entities, emoji as `<img alt>`); the customer gets readable plain text.
 * - stripBotMention: a message to the app starts with `<at>Parley</at>`; the command is what follows.
 * - escapeTeamsText: data placed in the `text` of a message Parley sends (Teams reads it as
 *   markdown with inline HTML) shows as written: no markdown, no link, no `<at>` mention.
 */

const BLOCK_NAMES =
  'p div section article header footer ul ol table tr pre h1 h2 h3 h4 h5 h6 blockquote hr li dl dt dd';
const BLOCKS = new Set(BLOCK_NAMES.split(' '));
/** Nesting drawn at most this deep (indents, quote marks): deeper is drawn at this depth. */
const MAX_DEPTH = 6;
const SAFE_LINK = /^(?:https?:|mailto:|tel:)/i;

/** Readable plain text for Teams' message HTML; never throws, linear in the input however malformed. */
export function teamsHtmlToText(html: string): string {
  const out = new TextWriter();
  const lists: { ordered: boolean; n: number }[] = [];
  const links: { href: string | null; start: number }[] = [];
  let pre = 0;
  let quote = 0;
  let atEnd = -1;
  for (const token of htmlTokens(html)) {
    if (token.kind === 'text') {
      out.text(decodeEntities(token.text), pre > 0);
      continue;
    }
    const { name } = token;
    if (token.kind === 'open' && BLOCKS.has(name)) out.block();
    if (token.kind === 'close' && BLOCKS.has(name)) out.block();
    if (token.kind === 'open') {
      switch (name) {
        case 'br':
          out.newline();
          break;
        case 'pre':
          pre += 1;
          break;
        case 'blockquote':
          out.setQuote(++quote);
          break;
        case 'ul':
        case 'ol':
          lists.push({ ordered: name === 'ol', n: 0 });
          break;
        case 'li': {
          const list = lists.at(-1);
          const indent = '  '.repeat(Math.min(MAX_DEPTH, Math.max(0, lists.length - 1)));
          out.marker(`${indent}${list?.ordered ? `${++list.n}.` : '-'} `);
          break;
        }
        case 'td':
        case 'th':
          out.cell();
          break;
        case 'img':
          out.text(imageText(token), false);
          break;
        case 'a':
          links.push({ href: token.attrs.href ?? null, start: out.length });
          break;
        case 'at':
          // Adjacent mentions (`<at>Ada</at> <at>Lovelace</at>`) are one person: one `@`.
          if (!(atEnd >= 0 && out.onlySpaceSince(atEnd))) out.marker('@');
          break;
      }
    } else {
      switch (name) {
        case 'pre':
          pre = Math.max(0, pre - 1);
          break;
        case 'blockquote':
          quote = Math.max(0, quote - 1);
          out.setQuote(quote);
          break;
        case 'ul':
        case 'ol':
          lists.pop();
          break;
        case 'a': {
          const link = links.pop();
          if (link) out.linkTarget(link.href, link.start);
          break;
        }
        case 'at':
          atEnd = out.length;
          break;
      }
    }
  }
  return out.done();
}

/** Emoji come as `<img alt="😀" itemtype="http://schema.skype.com/Emoji">`; other images are attachments. */
function imageText(token: HtmlToken & { kind: 'open' }): string {
  const type = token.attrs.itemtype ?? '';
  return /schema\.skype\.com\/(Emoji|Mention)/i.test(type) ? (token.attrs.alt ?? '') : '';
}

/**
 * Builds plain text: HTML whitespace collapsed outside `<pre>`, blocks on their own lines, `<br>`
 * kept, list and quote markers at line starts. Kept as parts (not one growing string that every
 * check would flatten), so the whole conversion stays linear.
 */
class TextWriter {
  private parts: string[] = [];
  /** Characters written before each part: the text between two marks is measured without joining. */
  private offsets: number[] = [];
  private size = 0;
  private lineStart = true;
  private pendingLines = 0;
  private space = false;
  private quote = 0;
  /** The text starts with preformatted text, whose indentation is kept. */
  private startsPre = false;

  /** A position in the text (a count of parts) for linkTarget and onlySpaceSince. */
  get length(): number {
    return this.parts.length;
  }

  text(raw: string, preformatted: boolean): void {
    if (preformatted) {
      if (this.size === 0) this.startsPre = true;
      this.flush();
      this.write(raw.replace(/\r\n?/g, '\n').replace(/\n/g, `\n${this.quotePrefix()}`));
      return;
    }
    const collapsed = raw.replace(/[ \t\n\r\f]+/g, ' ');
    if (collapsed === '') return;
    // Only ASCII spaces are HTML whitespace: a no-break space (&nbsp;) is kept.
    const words = collapsed.replace(/^ | $/g, '');
    if (collapsed.startsWith(' ')) this.space = true;
    if (words === '') return;
    this.flush();
    if (this.space && !this.lineStart) this.write(' ');
    this.write(words);
    this.space = collapsed.endsWith(' ');
  }

  /** Text that starts a line's content or a mention: no space dropped before it. */
  marker(s: string): void {
    this.flush();
    if (this.space && !this.lineStart) this.write(' ');
    this.space = false;
    this.write(s);
  }

  block(): void {
    if (this.size > 0) this.pendingLines = Math.max(this.pendingLines, 1);
    this.space = false;
  }

  newline(): void {
    this.pendingLines += 1;
    this.space = false;
  }

  cell(): void {
    if (!this.lineStart && this.pendingLines === 0) this.write(' | ');
    this.space = false;
  }

  setQuote(depth: number): void {
    this.quote = depth;
  }

  onlySpaceSince(mark: number): boolean {
    return this.pendingLines === 0 && this.since(mark, 200)?.trim() === '';
  }

  /** After a link's label: its target in brackets, unless the label already is the target. */
  linkTarget(href: string | null, mark: number): void {
    if (!href || !SAFE_LINK.test(href.trim())) return;
    const url = decodeEntities(href.trim());
    const label = this.since(mark, 4000)?.trim();
    const shown = url.replace(/^(?:mailto|tel):/i, '');
    if (label === '') this.marker(shown);
    else if (label !== url && label !== shown) this.marker(` (${url})`);
  }

  done(): string {
    const text = this.parts
      .join('')
      .replace(/\u00a0/g, ' ')
      .replace(/[ \t]+$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .replace(/^\n+/, '')
      .trimEnd();
    return this.startsPre ? text : text.trimStart();
  }

  /** The text written since a mark, or undefined when it is longer than `max` (not worth joining). */
  private since(mark: number, max: number): string | undefined {
    const before = mark < this.parts.length ? this.offsets[mark]! : this.size;
    return this.size - before > max ? undefined : this.parts.slice(mark).join('');
  }

  private write(s: string): void {
    if (s === '') return;
    this.parts.push(s);
    this.offsets.push(this.size);
    this.size += s.length;
    this.lineStart = s.endsWith('\n') || (this.quote > 0 && s.endsWith(`\n${this.quotePrefix()}`));
  }

  private quotePrefix(): string {
    return '> '.repeat(Math.min(MAX_DEPTH, this.quote));
  }

  private flush(): void {
    if (this.pendingLines > 0 && this.size > 0) {
      this.write(`\n${this.quotePrefix()}`.repeat(this.pendingLines));
      this.lineStart = true;
      this.space = false;
    } else if (this.size === 0 && this.quote > 0) {
      this.write(this.quotePrefix());
      this.lineStart = true;
    }
    this.pendingLines = 0;
  }
}

/** A mention as Teams lists it in `activity.entities`. */
interface MentionEntity {
  type: string;
  text?: unknown;
  mentioned?: { id?: unknown };
}

/** The same app id, written as Teams writes it in either place (`28:<app id>` or bare). */
const sameBot = (id: string, botId: string) => id.replace(/^28:/, '') === botId.replace(/^28:/, '');

/** The message without the app's own mentions (`<at>Parley</at>`); other people's mentions stay. */
export function stripBotMention(
  text: string,
  entities: readonly { type: string; [k: string]: unknown }[] | undefined,
  botId: string,
): string {
  let out = text;
  for (const e of (entities ?? []) as readonly MentionEntity[]) {
    if (e.type !== 'mention' || typeof e.text !== 'string' || e.text === '') continue;
    if (typeof e.mentioned?.id !== 'string' || !sameBot(e.mentioned.id, botId)) continue;
    out = out.split(e.text).join('');
  }
  return out.trim();
}

/** Characters markdown reads as syntax, as numeric references: shown as is, never parsed. */
const MARKDOWN = /[\\`*_~#[\]()!|{}<>&"]/g;

/**
 * Text for the `text` of a Teams message (markdown, the default, or `xml`): every character Teams
 * could read as markdown or HTML becomes a character reference, so a name like `**[x](https://…)**`
 * or `<at>Ada</at>` shows exactly as typed. Line starts that would make a list or heading are
 * escaped too. Line breaks are left as they are.
 */
export function escapeTeamsText(text: string): string {
  return text
    .replace(MARKDOWN, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/^([ \t]*)([-+=>])/gm, (_, ws: string, c: string) => `${ws}&#${c.charCodeAt(0)};`)
    .replace(/^([ \t]*\d+)([.)])/gm, (_, n: string, c: string) => `${n}&#${c.charCodeAt(0)};`);
}
