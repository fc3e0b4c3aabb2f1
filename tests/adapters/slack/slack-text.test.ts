import { describe, expect, it } from 'vitest';
import { mentionedUserIds, slackToPlainText } from '../../../adapters/surfaces/slack/slack-text.ts';

describe('what an agent typed in Slack, as the customer reads it', () => {
  it('R29: turns Slack references and escapes into plain text', () => {
    const names = new Map([['U1', 'Alice']]);
    expect(slackToPlainText('Ask <@U1> &amp; see <https://acme.test/faq|our FAQ> &lt;3', names)).toBe(
      'Ask @Alice & see our FAQ (https://acme.test/faq) <3',
    );
    expect(slackToPlainText('Mail <mailto:help@acme.test|help@acme.test> or <https://acme.test>')).toBe(
      'Mail help@acme.test or https://acme.test',
    );
    expect(slackToPlainText('<!here> in <#C1|support>')).toBe('@here in #support');
    expect(slackToPlainText('<!subteam^S1|@ops> <!date^1700000000^{date}|Nov 14> <@U2|bob> <@U3>')).toBe(
      '@ops Nov 14 @bob @someone',
    );
    // Escapes are undone once: `&amp;lt;` is what the agent typed as `&lt;`.
    expect(slackToPlainText('&amp;lt; <https://x.test/?a=1&amp;b=2|A &amp; B>')).toBe(
      '&lt; A & B (https://x.test/?a=1&b=2)',
    );
    // A name is put in as it is, never read as Slack markup.
    expect(slackToPlainText('<@U9>', new Map([['U9', '<https://evil.test|x> &amp;']]))).toBe(
      '@<https://evil.test|x> &amp;',
    );
  });

  it('lists the people mentioned once each', () => {
    expect(mentionedUserIds('<@U1> <@U2|bob> <@U1>')).toEqual(['U1', 'U2']);
  });

  /**
   * 160,000 characters of references that never close. The patterns this replaced each ran `[^>]*`
   * from every `<` to the end of the text (n²/2 character steps, about 3·10⁹ per pattern here:
   * several seconds each); now every character is scanned once. Behaviour is what is asserted.
   */
  it('R29: a 160,000-character message of unclosed references reads as the text it is, in one pass', () => {
    const n = 40_000;
    for (const opener of ['<@A|', '<#C|', '<http:', '<!date^']) {
      const text = opener.repeat(n);
      expect(slackToPlainText(text)).toBe(text);
      expect(mentionedUserIds(text)).toEqual([]);
    }
    // Closed at the very end: only the last one is a reference.
    expect(slackToPlainText(`${'<@A|'.repeat(n)}>`)).toBe(`${'<@A|'.repeat(n - 1)}@someone`);
    expect(mentionedUserIds(`${'<@A|'.repeat(n)}>`)).toEqual(['A']);
  });
});
