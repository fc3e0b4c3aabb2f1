import { describe, expect, it } from 'vitest';
import { escapeText } from '../../../adapters/surfaces/slack/escape.ts';
import { slackSurfaceHarness } from './surface-harness.ts';

/**
 * Long messages in a thread (R28): Slack refuses a section whose text is over 3,000 characters
 * (the fake does too, with Slack's `invalid_blocks`), so the surface splits a long text across
 * sections, counted after escaping, and never cuts an escape like `&amp;` in two. Nothing of the
 * text may be lost on the way.
 */
const h = slackSurfaceHarness();
const { slack } = h;

interface Section {
  type: string;
  text?: { text: string };
  elements?: { text: string }[];
}
const sectionTexts = (blocks: unknown) =>
  (blocks as Section[]).filter((b) => b.type === 'section').map((b) => b.text!.text);

/** A text of `n` characters: words, with `&` (5 characters once escaped) sprinkled in. */
const longText = (n: number) =>
  Array.from({ length: n }, (_, i) => (i % 97 === 96 ? '&' : i % 7 === 6 ? ' ' : 'abcdefghij'[i % 10]!)).join(
    '',
  );

describe('a long message in a thread (R28)', () => {
  it('R28: a customer message of 8,000 characters is posted whole, in sections of at most 3,000 escaped characters', async () => {
    const { channel, ref } = await h.openChannelThread();
    const text = longText(8_000);
    const r = await h.run(ref, [h.item({ text })]);
    expect(r.error).toBeNull();

    const [, post] = slack.thread(channel, String(ref.ts));
    const sections = sectionTexts(post!.blocks);
    expect(sections.length).toBeGreaterThanOrEqual(3);
    for (const s of sections) expect(s.length).toBeLessThanOrEqual(3000);
    // All of it, in order: the pieces join up to the escaped text.
    expect(sections.join('')).toBe(escapeText(text));
    // No piece starts inside an escape (`amp;` would be left at the start of the next one).
    for (const s of sections.slice(1)) expect(s).not.toMatch(/^(amp|lt|gt);/);
  });

  it('R28: a burst of short messages whose escaped text passes 3,000 characters still posts, split the same way', async () => {
    const { channel, ref } = await h.openChannelThread();
    // 30 lines of about 85 characters (under 3,000 raw, so combined into one post), each with ten
    // `<&>`: escaped (`&lt;&amp;&gt;`), the combined text is over 5,000 characters.
    const burst = Array.from({ length: 30 }, (_, n) =>
      h.item({ text: `${n} ${'<&>'.repeat(10)} ${'x'.repeat(50)}` }),
    );
    const { posted } = await h.postAll(ref, burst);
    expect(posted.flatMap((p) => p.messageIds)).toEqual(burst.map((i) => i.messageId));

    const posts = slack.thread(channel, String(ref.ts)).slice(1);
    expect(posts).toHaveLength(1);
    const sections = sectionTexts(posts[0]!.blocks);
    expect(sections.length).toBeGreaterThan(1);
    for (const s of sections) expect(s.length).toBeLessThanOrEqual(3000);
    expect(sections.join('')).toBe(burst.map((i) => escapeText(i.text!)).join('\n'));
  });

  it('R28: a text too long for one post is shortened after ten sections, saying so, within Slack’s 50 blocks', async () => {
    const { channel, ref } = await h.openChannelThread();
    const text = longText(35_000);
    const r = await h.run(ref, [h.item({ text })]);
    expect(r.error).toBeNull();

    const [, post] = slack.thread(channel, String(ref.ts));
    const sections = sectionTexts(post!.blocks);
    expect(sections).toHaveLength(10);
    for (const s of sections) expect(s.length).toBeLessThanOrEqual(3000);
    expect(escapeText(text).startsWith(sections.join(''))).toBe(true);
    expect(slack.visible(post!)).toContain('Shortened here: the full text is in Parley.');
    expect(post!.text.length).toBeLessThanOrEqual(40_000);
  });

  it('R29: a reply that failed for a very long reason is still posted, its state line shortened to what Slack takes', async () => {
    const { channel, ref } = await h.openChannelThread();
    const reason = `Meta said: ${'<&> '.repeat(1_000)}`;
    const r = await h.run(ref, [
      h.item({
        kind: 'reply',
        authorName: 'Alice',
        text: 'See you',
        deliveryState: 'failed',
        deliveryReason: reason,
      }),
    ]);
    expect(r.error).toBeNull();
    const [, post] = slack.thread(channel, String(ref.ts));
    const line = (post!.blocks as Section[]).find((b) => b.type === 'context')!.elements![0]!.text;
    expect(line.length).toBeLessThanOrEqual(3000);
    expect(line).toMatch(/^Reply by Alice · :x: Not delivered: Meta said: &lt;&amp;&gt; /);
    expect(line).toMatch(/(;|\s)…$/);
  });
});

describe('a header with many assignees (R28)', () => {
  it('R28: the assignees field stays within Slack’s 2,000 characters, so the header is still drawn', async () => {
    const assignees = Array.from({ length: 80 }, (_, i) => ({
      id: `u${i}`,
      name: `Bartholomew Montgomery-Fitzwilliam & Sons ${i}`,
    }));
    const { channel, ref } = await h.openChannelThread(h.header({ assignees }));
    const [header] = slack.thread(channel, String(ref.ts));
    const shown = slack.visible(header!);
    expect(shown).toContain('Bartholomew Montgomery-Fitzwilliam &amp; Sons 0');
    expect(shown).not.toContain('Sons 79');
  });
});
