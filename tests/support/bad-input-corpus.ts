import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Bad input for every public endpoint (issue 5, "Bad input"): characters that break storage or
 * fool readers, and chat markup a customer could use to ping a whole Slack channel or disguise a
 * link. Tests put each in every text field a request carries, then check what was answered,
 * written and posted with the helpers below.
 */

/** Characters that break storage or fool a reader. */
export const ODD_CHARACTERS = {
  nul: 'before\u0000after',
  loneSurrogate: 'half \ud800 of a pair',
  rightToLeftOverride: 'invoice\u202Efdp.exe',
  zeroWidth: 'zero\u200Bwidth\u200Cnon\u200Djoiner\uFEFF',
} as const;

/** Chat markup that would ping people or make a link if Slack read it as markup. */
export const CHAT_MARKUP = {
  channel: '<!channel>',
  here: '<!here>',
  user: '<@U1>',
  channelLink: '<#C1>',
  link: '<https://x|y>',
  markdownLink: '[x](https://evil)',
  atChannel: '@channel',
} as const;

/** Every markup case in one line, as a name or a message would carry it. */
export const ALL_MARKUP = Object.values(CHAT_MARKUP).join(' ');
/** Every odd character and every markup case in one string. */
export const EVERYTHING = `${Object.values(ODD_CHARACTERS).join(' ')} ${ALL_MARKUP}`;

/** Rows a customer request can write; a refused request must leave every count as it was. */
export const COUNTED_TABLES = [
  'message',
  'conversation',
  'contact',
  'contact_identity',
  'webchat_session',
  'webchat_upload',
] as const;
export type RowCounts = Record<(typeof COUNTED_TABLES)[number], number>;

export async function countRows(em: EntityManager): Promise<RowCounts> {
  const sql = COUNTED_TABLES.map((t) => `(select count(*)::int from "${t}") as "${t}"`).join(', ');
  const [row] = await em.getConnection().execute<RowCounts[]>(`select ${sql}`);
  return row!;
}

/**
 * Markup Parley writes itself, from numbers only: a shared location's map link and a date Slack
 * shows in the reader's time zone. Nothing else may be active.
 */
const OWN_MARKUP = [
  /<https:\/\/maps\.google\.com\/\?q=-?[\d.]+,-?[\d.]+\|Location -?[\d.]+,-?[\d.]+>/g,
  /<!date\^\d+\^\{date_short_pretty\} at \{time\}\|[\d: -]+UTC>/g,
];

/**
 * Active Slack markup anywhere in what was sent to Slack (text, blocks, names, file titles): an
 * unescaped `<!…>` (channel-wide ping), `<@…>` / `<#…>` (mention, channel link) or `<http…>` (a
 * link whose label may lie). Returns each offending piece; empty means none.
 */
export function activeMarkupIn(values: unknown): string[] {
  const found: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      const rest = OWN_MARKUP.reduce((t, own) => t.replace(own, ''), v);
      for (const m of rest.matchAll(/<(?:[!@#]|https?:)[^>]*>?/g)) found.push(m[0]);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(values);
  return found;
}

/**
 * Options of a Slack Web API call that would turn plain names and URLs into mentions and links,
 * or unfurl them: `link_names`, `parse: full`, a post without unfurling off, or a mrkdwn text
 * object that is not `verbatim` (Slack then links bare `#channel` names, URLs and some mentions).
 */
export function unsafeSlackOptions(call: { method: string; args: Record<string, unknown> }): string[] {
  const out: string[] = [];
  const { args } = call;
  if (args.link_names !== undefined && args.link_names !== false && args.link_names !== 'false')
    out.push(`${call.method}: link_names=${String(args.link_names)}`);
  if (args.parse === 'full') out.push(`${call.method}: parse=full`);
  const off = (v: unknown) => v === false || v === 'false';
  if (call.method === 'chat.postMessage' && !(off(args.unfurl_links) && off(args.unfurl_media)))
    out.push(`${call.method}: unfurling is not off`);
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'mrkdwn' && typeof o.text === 'string' && o.verbatim !== true)
        out.push(`${call.method}: mrkdwn without verbatim: ${o.text.slice(0, 60)}`);
      Object.values(o).forEach(walk);
    }
  };
  walk([args.blocks, args.view]);
  return out;
}

/** The boundary of the broken webchat uploads below. */
export const UPLOAD_BOUNDARY = '----parley-bad-input-upload';

/**
 * Broken webchat uploads (issue 9): multipart bodies sent as streams without a Content-Length,
 * so only counting while reading can refuse them. Each is refused with a 4xx (the status given),
 * never a 5xx, and stores nothing. `limit` is the attachment limit in bytes.
 */
export function brokenUploads(limit: number): [string, number, () => ReadableStream<Uint8Array>][] {
  const head = `--${UPLOAD_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const file = (n: number) => new Uint8Array(n).fill(0x61);
  return [
    ['a file over the limit', 413, () => streamOf([head, file(limit * 2), `\r\n--${UPLOAD_BOUNDARY}--\r\n`])],
    ['a body cut off in the middle of the file', 400, () => streamOf([head, file(10_000)])],
    ['a body whose connection drops', 400, () => streamOf([head, file(10_000)], { fail: true })],
    [
      'a complete file without the closing boundary',
      400,
      () => streamOf([head, file(100), `\r\n--${UPLOAD_BOUNDARY}`]),
    ],
    [
      'part headers that never end',
      400,
      () => streamOf([`--${UPLOAD_BOUNDARY}\r\n`, 'X-Filler: a'.repeat(2000)]),
    ],
    ['no part at all', 400, () => streamOf([`--${UPLOAD_BOUNDARY}--\r\n`])],
  ];
}

/** A request body delivered in 4 KB pieces; `fail` ends it with an error, as a dropped connection does. */
function streamOf(parts: (string | Uint8Array)[], opts: { fail?: boolean } = {}): ReadableStream<Uint8Array> {
  const all = Buffer.concat(parts.map((p) => Buffer.from(p)));
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at < all.length) {
        controller.enqueue(new Uint8Array(all.subarray(at, at + 4096)));
        at += 4096;
      } else if (opts.fail) controller.error(new Error('connection reset by peer'));
      else controller.close();
    },
  });
}
