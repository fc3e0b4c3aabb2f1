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
  });

  it('lists the people mentioned once each', () => {
    expect(mentionedUserIds('<@U1> <@U2|bob> <@U1>')).toEqual(['U1', 'U2']);
  });
});
