import type { MirrorItem } from '../../../src/ports/agent-surface.ts';
import { escapeText } from './escape.ts';
import { type Block, button } from './thread-blocks.ts';

/**
 * The buttons on an AI draft's post (R36); each button's value is the draft's message id.
 * ai-draft-actions.ts handles them.
 */
export const AI_DRAFT_ACTIONS = {
  send: 'parley_ai_draft_send',
  edit: 'parley_ai_draft_edit',
  discard: 'parley_ai_draft_discard',
} as const;

/**
 * R36: an AI draft is the team's to send, edit or discard; the customer sees nothing of it. Its
 * lead says so while it waits; once decided, the line below it says who did what.
 */
export function draftVoice(item: MirrorItem): { lead: string; tail?: string } {
  const draft = item.draft ?? { state: 'pending', by: null, edited: false };
  const by = draft.by ? ` by ${escapeText(draft.by)}` : '';
  switch (draft.state) {
    case 'pending':
      return { lead: ':robot_face: *AI draft* · only the team sees this · not sent yet' };
    case 'sent':
      return {
        lead: ':robot_face: *AI draft*',
        tail: `:outbox_tray: Sent${by}${draft.edited ? ' after editing' : ''}`,
      };
    case 'discarded':
      return {
        lead: ':robot_face: *AI draft* · only the team saw this',
        tail: `:wastebasket: Discarded${by}`,
      };
    default:
      return {
        lead: ':robot_face: *AI draft* · only the team saw this',
        tail: ':hourglass: Out of date · not sent',
      };
  }
}

/** Send, Edit… and Discard under a pending draft; Discard asks first (Slack's confirmation dialog). */
export function draftButtons(item: MirrorItem): Block {
  const id = item.messageId;
  const plain = (text: string) => ({ type: 'plain_text', text });
  return {
    type: 'actions',
    block_id: `ai_draft:${id}`,
    elements: [
      button(AI_DRAFT_ACTIONS.send, 'Send', id, 'primary'),
      button(AI_DRAFT_ACTIONS.edit, 'Edit…', id),
      button(AI_DRAFT_ACTIONS.discard, 'Discard', id, undefined, {
        title: plain('Discard this AI draft?'),
        text: plain('Nothing is sent to the customer. The draft stays here, marked as discarded.'),
        confirm: plain('Discard'),
        deny: plain('Keep it'),
        style: 'danger',
      }),
    ],
  };
}
