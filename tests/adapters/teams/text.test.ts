import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEntities } from '../../../adapters/surfaces/teams/teams-html.ts';
import {
  escapeTeamsText,
  stripBotMention,
  teamsHtmlToText,
} from '../../../adapters/surfaces/teams/teams-text.ts';

/** What Teams sends for a line a person typed: their characters HTML-escaped inside a paragraph. */
const asTeamsHtml = (typed: string) =>
  `<p>${typed.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</p>`;

describe('what an agent typed in Teams, as the customer reads it (R29)', () => {
  it('R29: paragraphs, line breaks, divs and entities become plain lines', () => {
    expect(
      teamsHtmlToText('<p>Hello&nbsp;Dana,</p>\n<p>Your order <b>ships</b> today.<br>Tracking: 42</p>'),
    ).toBe('Hello Dana,\nYour order ships today.\nTracking: 42');
    expect(teamsHtmlToText('<div><div>one</div><div>two</div></div>')).toBe('one\ntwo');
    expect(
      teamsHtmlToText('<p>5 &lt; 7 &amp;&amp; 7 &gt; 5 &quot;ok&quot; &#128512; &#x1F44D; &hellip;</p>'),
    ).toBe('5 < 7 && 7 > 5 "ok" 😀 👍 …');
    expect(teamsHtmlToText('<p>two<br><br>breaks</p>')).toBe('two\n\nbreaks');
  });

  it('R29: lists, quotes, code and tables stay readable', () => {
    expect(teamsHtmlToText('<ul><li>one</li><li>two<ol><li>a</li><li>b</li></ol></li></ul>')).toBe(
      '- one\n- two\n  1. a\n  2. b',
    );
    expect(teamsHtmlToText('<blockquote>you said<br>this</blockquote><p>and I say</p>')).toBe(
      '> you said\n> this\nand I say',
    );
    expect(teamsHtmlToText('<pre><code>if (a &lt; b) {\n  go();\n}</code></pre><p>done</p>')).toBe(
      'if (a < b) {\n  go();\n}\ndone',
    );
    expect(teamsHtmlToText('<p>Use <code>npm  ci</code></p>')).toBe('Use npm ci');
    expect(
      teamsHtmlToText('<table><tr><th>Item</th><th>Qty</th></tr><tr><td>Pen</td><td>2</td></tr></table>'),
    ).toBe('Item | Qty\nPen | 2');
  });

  it('R29: links show their target; only web, mail and phone links are kept', () => {
    expect(teamsHtmlToText('<p>See <a href="https://acme.test/faq?a=1&amp;b=2">our FAQ</a></p>')).toBe(
      'See our FAQ (https://acme.test/faq?a=1&b=2)',
    );
    expect(teamsHtmlToText('<a href="https://acme.test">https://acme.test</a>')).toBe('https://acme.test');
    expect(teamsHtmlToText('<a href="mailto:help@acme.test">help@acme.test</a>')).toBe('help@acme.test');
    expect(teamsHtmlToText('<a href="javascript:alert(1)">click</a>')).toBe('click');
  });

  it('R29: mentions read as @Name (a split full name once), emoji as themselves, images and scripts as nothing', () => {
    expect(teamsHtmlToText('<p>Ask <at>Ada</at> <at>Lovelace</at> or <at>Bob</at>.</p>')).toBe(
      'Ask @Ada Lovelace or @Bob.',
    );
    expect(
      teamsHtmlToText(
        '<p>thanks <span><img alt="🙂" itemtype="http://schema.skype.com/Emoji" src="https://x/e.png"></span>' +
          '<img src="https://smba.test/v3/attachments/1/views/original"></p>',
      ),
    ).toBe('thanks 🙂');
    expect(teamsHtmlToText('<script>alert(1)</script><style>p{}</style>visible<!-- hidden -->')).toBe(
      'visible',
    );
  });

  it('R29: malformed HTML gives its text, never an error', () => {
    expect(teamsHtmlToText('<p>unclosed <b>bold <i>text')).toBe('unclosed bold text');
    expect(teamsHtmlToText('a < b, c > d, <3, &bogus; &#0; &#xD800;')).toBe(
      'a < b, c > d, <3, &bogus; \ufffd \ufffd',
    );
    expect(teamsHtmlToText('text <a href="https://x')).toBe('text');
    expect(teamsHtmlToText('<!-- never closed')).toBe('');
    expect(teamsHtmlToText('')).toBe('');
  });

  it('R29: any line a person types comes back as typed (spaces collapsed as HTML does)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (typed) => {
        const line = typed.replace(/[\r\n\uE000\uE001]/g, ' ');
        // No-break spaces are compared as spaces on both sides (the received text is read so too).
        const expected = line
          .replace(/[ \t\f]+/g, ' ')
          .replace(/\u00a0/g, ' ')
          .trim();
        expect(
          teamsHtmlToText(asTeamsHtml(line))
            .replace(/\u00a0/g, ' ')
            .trim(),
        ).toBe(expected);
      }),
      { numRuns: 300, seed: Number(process.env.TEXT_SEED ?? 1662281215) },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (junk) => {
        expect(typeof teamsHtmlToText(junk)).toBe('string');
      }),
      { numRuns: 500 },
    );
  });

  it('R29: adversarial markup of 200,000 characters is read in one pass', () => {
    const n = 40_000;
    const pieces = [
      '<a x="',
      '<a<a<',
      '<p>&amp;',
      '<at>x</at> ',
      '<!--<',
      '<b>',
      '&#1',
      '<ul><li>x',
      '<blockquote>x<br>',
    ];
    for (const piece of pieces) {
      expect(typeof teamsHtmlToText(piece.repeat(n))).toBe('string');
    }
    expect(teamsHtmlToText('<b>x</b>'.repeat(n))).toBe('x'.repeat(n));
  });
});

describe('a message to the app', () => {
  const entities = [
    { type: 'mention', text: '<at>Parley</at>', mentioned: { id: '28:app-id', name: 'Parley' } },
    { type: 'mention', text: '<at>Ada</at>', mentioned: { id: '29:ada', name: 'Ada' } },
    { type: 'clientInfo', locale: 'en-US' },
  ];

  it('R30: the app mention is dropped (whatever form the app id takes); people stay', () => {
    expect(stripBotMention('<at>Parley</at> assign <at>Ada</at>', entities, 'app-id')).toBe(
      'assign <at>Ada</at>',
    );
    expect(stripBotMention('<at>Parley</at> close', entities, '28:app-id')).toBe('close');
    expect(stripBotMention('close', undefined, 'app-id')).toBe('close');
    // Someone else's mention is not the app's, even named alike.
    expect(
      stripBotMention(
        '<at>Parley</at> hi',
        [{ type: 'mention', text: '<at>Parley</at>', mentioned: { id: '29:x' } }],
        'app-id',
      ),
    ).toBe('<at>Parley</at> hi');
  });
});

describe('data in a message Parley writes (escapeTeamsText)', () => {
  /** The escaped text without its character references. */
  const bare = (escaped: string) => escaped.replace(/&#\d+;/g, '');

  it('R28: markdown, links and mentions in customer data cannot take effect', () => {
    const name = '**Boss** [pay here](https://evil.test) <at>Ada</at> _x_ `code` # H';
    const escaped = escapeTeamsText(name);
    // No markdown or HTML syntax character is left as such, outside the references themselves.
    expect(bare(escaped)).not.toMatch(/[*[\]()<>_`#&]/);
    expect(decodeEntities(escaped)).toBe(name);
    expect(escapeTeamsText('- not a list\n1. not numbered\n> not a quote')).toBe(
      '&#45; not a list\n1&#46; not numbered\n&#62; not a quote',
    );
  });

  it('R28: any text survives escaping exactly (decoded, it is what was given)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        const escaped = escapeTeamsText(s);
        expect(bare(escaped)).not.toMatch(/[*[\]()<>_`#|\\~!{}&]/);
        expect(decodeEntities(escaped)).toBe(s);
      }),
      { numRuns: 300 },
    );
  });
});
