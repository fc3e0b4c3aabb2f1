/**
 * What an agent typed in Slack, as the customer should read it. Slack sends mrkdwn with its own
 * escapes and references: `<@U1>` mentions, `<#C1|name>` channels, `<!here>`, `<url|label>` links,
 * `&amp; &lt; &gt;`. Customers get readable text, not Slack markup.
 */
export function slackToPlainText(text: string, userNames: ReadonlyMap<string, string> = new Map()): string {
  return text
    .replace(
      /<@([A-Z0-9]+)(?:\|([^>]*))?>/g,
      (_, id: string, label?: string) => `@${label || userNames.get(id) || 'someone'}`,
    )
    .replace(/<#[A-Z0-9]+(?:\|([^>]*))?>/g, (_, name?: string) => `#${name || 'channel'}`)
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>/g, (_, name?: string) => name || '@team')
    .replace(/<!date\^[^|>]*\|([^>]*)>/g, '$1')
    .replace(/<((?:https?|mailto|tel):[^|>]+)\|([^>]+)>/g, (_, url: string, label: string) =>
      label === url.replace(/^mailto:|^tel:/, '') ? label : `${label} (${url})`,
    )
    .replace(/<((?:https?|mailto|tel):[^>]+)>/g, (_, url: string) => url.replace(/^mailto:|^tel:/, ''))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Slack user ids mentioned in a message (to name them for the customer). */
export const mentionedUserIds = (text: string): string[] => [
  ...new Set([...text.matchAll(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g)].map((m) => m[1]!)),
];
