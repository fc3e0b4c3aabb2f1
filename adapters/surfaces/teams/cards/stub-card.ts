import type { OutboundActivity } from '../ports.ts';
import { adaptiveCard, cardActivity, line, run } from './card-kit.ts';

/**
 * R31: what stays in the shared channel while a conversation is restricted. It says nothing about
 * the conversation: no contact, no text, no number, no id, no buttons (the people on its list work
 * on it in their personal chat with the app).
 */
export const STUB_TEXT = 'This conversation is handled privately.';

export function stubCard(): OutboundActivity {
  return cardActivity(adaptiveCard([line(run(`🔒 ${STUB_TEXT}`, { subtle: true }))]), STUB_TEXT);
}
