/**
 * Slack's required escaping for text we did not write (contact names, previews, file names, group
 * names): `&`, `<` and `>` are Slack's control characters, so customer text can never become a
 * mention (`<!channel>`, `<@U1>`) or a link (`<https://x|y>`). Slack decodes only these three.
 */
export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Escaped text within a Slack length limit (counted on what is sent): cut with an ellipsis, never
 * in the middle of an entity (a cut `&am` would show as text).
 */
export function escapeClipped(s: string, max: number): string {
  const escaped = escapeText(s);
  if (escaped.length <= max) return escaped;
  return escaped.slice(0, max - 1).replace(/&[a-z]*$/, '') + '…';
}
