import { escapeText } from './escape.ts';

/**
 * The App Home of a Slack user Parley does not act for (not linked, unlinked, or inactive: R33,
 * R35): what to do, and nothing of any conversation.
 */
export const notLinkedHome = (text: string) => ({
  type: 'home',
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: 'Parley' } },
    { type: 'section', text: { type: 'mrkdwn', text: escapeText(text), verbatim: true } },
  ],
});

export const inactiveText =
  'Your Parley user is not active, so Parley shows you nothing and does nothing for you. Ask a Parley admin if this is a mistake.';
