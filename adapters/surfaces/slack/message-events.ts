import type { App as BoltApp } from '@slack/bolt';
import type { SlackHandlerDeps } from './deps.ts';
import { onNewMessage, type SlackMessageEvent } from './thread-messages.ts';
import { onMessageChanged, onMessageDeleted } from './thread-revisions.ts';

/**
 * Where a Slack `message` event goes (R29, R30): a new message (with files, or broadcast from a
 * thread) to thread-messages.ts, an edit or a deletion to thread-revisions.ts. Other subtypes
 * (joins, topic changes, bot posts) are not people writing to Parley.
 */
export function registerMessageEvents(app: BoltApp, deps: SlackHandlerDeps): void {
  app.event('message', async ({ event }) => {
    const m = event as unknown as SlackMessageEvent;
    if (m.subtype === 'message_changed') return onMessageChanged(deps, m);
    if (m.subtype === 'message_deleted') return onMessageDeleted(deps, m);
    if (m.subtype && m.subtype !== 'file_share' && m.subtype !== 'thread_broadcast') return;
    await onNewMessage(deps, m);
  });
}
