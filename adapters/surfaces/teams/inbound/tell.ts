import { setTimeout as sleep } from 'node:timers/promises';
import { SurfaceRetryLater } from '../../../../src/ports/agent-surface.ts';
import { personalChat } from '../personal-chats.ts';
import type { InboundActivity, OutboundActivity } from '../ports.ts';
import { escapeTeamsText } from '../teams-text.ts';
import { isPersonalChat, senderOf } from './activity.ts';
import type { TeamsInboundDeps } from './deps.ts';

/**
 * Our own sentence as a Teams message, every markup character escaped: it may quote a customer's
 * or a user's name, which must never become formatting, a link or a mention.
 */
export const textMessage = (text: string): OutboundActivity => ({
  type: 'message',
  text: escapeTeamsText(text),
  textFormat: 'markdown',
});

/**
 * A personal chat takes a few messages a second (teams-api.ts paces it): a short wait is worth it
 * for an answer the person is waiting for; a long hold is not worth holding Teams' request.
 */
const MAX_WAIT_MS = 3_000;
const TRIES = 3;

/**
 * Tells the sender of an activity something only they may read (a command's answer, a refusal):
 * in their personal chat with the app — where they wrote, or opened for them when they wrote in a
 * channel, since a channel message cannot be shown to one person alone. A courtesy after the work
 * is committed: failing to say it (the app not installed for them, Teams holding the chat) is
 * logged and must not fail, and so replay, the activity.
 */
export async function tellSender(deps: TeamsInboundDeps, a: InboundActivity, text: string): Promise<void> {
  try {
    const chat = isPersonalChat(a) ? a.conversation.id : await personalChatOf(deps, a);
    if (chat) await sendPaced(deps, chat, textMessage(text));
  } catch (err) {
    deps.logger.warn(
      { err, conversation: a.conversation.id },
      'teams: could not tell a user privately (is the app installed for them?)',
    );
  }
}

async function sendPaced(deps: TeamsInboundDeps, chat: string, activity: OutboundActivity): Promise<void> {
  await withShortWaits(() => deps.api.send(chat, activity));
}

/**
 * Runs `work` that draws something the person is waiting for, waiting out Teams' pacing when the
 * wait is short (a few tries); a longer wait is thrown to the caller.
 */
export async function withShortWaits(work: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await work();
      return;
    } catch (err) {
      const wait = err instanceof SurfaceRetryLater ? err.retryAfterMs : null;
      if (wait === null || wait > MAX_WAIT_MS || attempt >= TRIES) throw err;
      await sleep(wait);
    }
  }
}

/** Kept (personal-chats.ts) once opened: the surface then redraws the person's dashboard there too. */
async function personalChatOf(deps: TeamsInboundDeps, a: InboundActivity): Promise<string | null> {
  const teamsUserId = senderOf(a);
  return teamsUserId ? (await personalChat(deps, teamsUserId)).conversationId : null;
}
