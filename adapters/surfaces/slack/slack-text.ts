/**
 * What an agent typed in Slack, as the customer should read it. Slack sends mrkdwn with its own
 * escapes and references: `<@U1>` mentions, `<#C1|name>` channels, `<!here>`, `<url|label>` links,
 * `&amp; &lt; &gt;`. Customers get readable text, not Slack markup.
 *
 * One pass over the text: a reference is `<` up to the next `>` with no `<` inside (Slack escapes a
 * typed `<` as `&lt;`, so a real reference never holds one), and each is then read on its own.
 * Every character is scanned by one match attempt at most, so the time is linear in the text
 * however it is built; the former chain of patterns each ran `[^>]*` from every `<` to the end,
 * quadratic on text like `<@A|<@A|<@A|…` (a 40,000-character message took about a second).
 */
const REFERENCE_OR_ENTITY = /<([^<>]*)>|&(amp|lt|gt);/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>' };
const unescapeSlack = (s: string) => s.replace(/&(amp|lt|gt);/g, (_, e: string) => ENTITIES[e]!);

export function slackToPlainText(text: string, userNames: ReadonlyMap<string, string> = new Map()): string {
  return text.replace(REFERENCE_OR_ENTITY, (whole, inner: string | undefined, entity: string | undefined) =>
    entity ? ENTITIES[entity]! : (readReference(inner!, userNames) ?? unescapeSlack(whole)),
  );
}

/** The plain text for one reference's inside (`@U1|ada`, `#C1|support`, `https://x|label`), or null if it is none. */
function readReference(inner: string, userNames: ReadonlyMap<string, string>): string | null {
  const bar = inner.indexOf('|');
  const head = bar === -1 ? inner : inner.slice(0, bar);
  const label = bar === -1 ? undefined : unescapeSlack(inner.slice(bar + 1));
  if (/^@[A-Z0-9]+$/.test(head)) return `@${label || userNames.get(head.slice(1)) || 'someone'}`;
  if (/^#[A-Z0-9]+$/.test(head)) return `#${label || 'channel'}`;
  if (/^!(here|channel|everyone)$/.test(head)) return `@${head.slice(1)}`;
  if (/^!subteam\^[A-Z0-9]+$/.test(head)) return label || '@team';
  if (head.startsWith('!date^') && label !== undefined) return label;
  if (/^(?:https?|mailto|tel):./.test(head)) {
    const url = unescapeSlack(head);
    const shown = url.replace(/^mailto:|^tel:/, '');
    if (!label) return shown;
    return label === shown ? label : `${label} (${url})`;
  }
  return null;
}

/** Slack user ids mentioned in a message (to name them for the customer). */
export const mentionedUserIds = (text: string): string[] => [
  // `[^<>]*`: the same one-reference-at-a-time scan as above, linear in the text.
  ...new Set([...text.matchAll(/<@([A-Z0-9]+)(?:\|[^<>]*)?>/g)].map((m) => m[1]!)),
];

/**
 * R41: the message is nothing but mentions of people ("<@U1> <@U2>", maybe with punctuation): it
 * calls teammates in, and is never meant for the customer.
 */
export const onlyMentions = (text: string): boolean =>
  mentionedUserIds(text).length > 0 && !/[\p{L}\p{N}]/u.test(text.replace(/<@[A-Z0-9]+(?:\|[^<>]*)?>/g, ''));
