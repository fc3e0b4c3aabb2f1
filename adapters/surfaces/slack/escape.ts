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

/**
 * One of our own sentences for Slack (a command's answer, a refusal) that may quote customer or user
 * data: escaped whole, then the mentions `<@U…>` of people the asker named in their own command are
 * turned back into mentions, so "Linked @ada …" shows the person. Nothing else can become markup:
 * a `<@U…>` elsewhere in the text (say in a customer's name) stays text unless it names the very
 * person the asker typed.
 */
export function escapeKeepingMentions(text: string, askerMentioned: ReadonlySet<string>): string {
  // `[A-Z0-9]+` cannot match `&`, so each candidate is scanned once: linear in the text.
  return escapeText(text).replace(/&lt;@([A-Z0-9]+)&gt;/g, (whole, id: string) =>
    askerMentioned.has(id) ? `<@${id}>` : whole,
  );
}
