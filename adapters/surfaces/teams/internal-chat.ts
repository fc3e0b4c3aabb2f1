import { createHash } from 'node:crypto';
import { Container } from '@microsoft/teams.cards';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../../src/logger.ts';
import {
  type InternalMessageView,
  type InternalPostOptions,
  type InternalPostRef,
  SurfaceRetryLater,
} from '../../../src/ports/agent-surface.ts';
import { adaptiveCard, type CardBody, cardActivity, fitted, line, oneLine, run } from './cards/card-kit.ts';
import { attachmentPart, type MediaLink, textBlocks } from './cards/item-parts.ts';
import { personalChat } from './personal-chats.ts';
import type { OutboundActivity, TeamsApi } from './ports.ts';
import { TeamsApiError } from './teams-api-errors.ts';

/**
 * R25 on Teams: an internal message is a card from the app in the recipient's personal chat with
 * it; a reply quoting that card continues the chat (inbound/internal-reply.ts). A personal chat's
 * history cannot be read back by the bot, so an attempt whose answer was lost is kept as posted.
 * While the app is not installed for the recipient the message waits (the job and the reconciler
 * try again) instead of being lost.
 */
export interface TeamsInternalChatDeps {
  api: Pick<TeamsApi, 'openPersonalChat' | 'send'>;
  em: () => EntityManager;
  mediaLink: MediaLink;
  logger: Logger;
}

const NOT_INSTALLED = new Set(['app_not_installed', 'app_blocked', 'blocked_by_user', 'forbidden']);
const INSTALL_WAIT_MS = 5 * 60_000;
const TEXT_BUDGET = 12_000;
const MAX_FILES = 20;
/** The thread key column's size (a personal chat's id can be long: hashed past it). */
const MAX_KEY = 255;

/** The key a quote of the card is found by: the personal chat and the card's activity id. */
export function teamsInternalKey(conversationId: string, activityId: string): string {
  const key = `${conversationId}:${activityId}`;
  if (key.length <= MAX_KEY) return key;
  return `#${createHash('sha256').update(conversationId).digest('base64url')}:${activityId}`;
}

export async function postTeamsInternalMessage(
  deps: TeamsInternalChatDeps,
  teamsUserId: string,
  m: InternalMessageView,
  opts: InternalPostOptions,
): Promise<InternalPostRef> {
  if (opts.lookFirst) {
    // Like a conversation's post in a personal chat (post-items.ts): kept as made, never shown twice.
    deps.logger.warn(
      { teamsUserId, internalMessageId: m.messageId },
      'teams: an internal message got no answer and a personal chat cannot be read back; kept as posted (it may be missing there)',
    );
    return { ref: { unconfirmed: true }, threadKey: `unconfirmed:${m.messageId}` };
  }
  try {
    const chat = await personalChat(deps, teamsUserId);
    const { activityId } = await deps.api.send(
      chat.conversationId,
      internalMessageActivity(m, deps.mediaLink),
    );
    return {
      ref: { conversation: chat.conversationId, activityId },
      threadKey: teamsInternalKey(chat.conversationId, activityId),
    };
  } catch (err) {
    if (!(err instanceof TeamsApiError && NOT_INSTALLED.has(err.code))) throw err;
    deps.logger.warn(
      { teamsUserId, code: err.code },
      'teams: an internal message waits until Parley is installed for its recipient',
    );
    throw new SurfaceRetryLater(
      `Parley is not installed in Teams for the recipient (${err.code}).`,
      INSTALL_WAIT_MS,
    );
  }
}

/** Who wrote it, that it is internal (a note in a warning box), its text and files, and how to answer. */
export function internalMessageActivity(m: InternalMessageView, mediaLink: MediaLink): OutboundActivity {
  const name = oneLine(m.authorName, 80);
  const head = m.toSelf
    ? line(run(m.kind === 'note' ? '📝 Note to yourself' : '💬 Message to yourself', { bold: true }))
    : line(
        run(m.kind === 'note' ? '📝 Internal note from ' : '💬 Internal message from ', { bold: true }),
        run(name, { bold: true }),
      );
  const hint = line(
    run(
      m.toSelf
        ? 'Reply to (quote) this message to add to your notes.'
        : `Reply to (quote) this message to answer.`,
      { subtle: true, italic: true },
    ),
  );
  const summary = `${m.toSelf ? 'Note to yourself' : `Internal: ${oneLine(m.authorName, 60)}`}: ${oneLine(m.text ?? '', 120) || `${m.attachments.length} file(s)`}`;
  return fitted((budget) => {
    const files = m.attachments.slice(0, MAX_FILES).map((a) => attachmentPart(a, mediaLink));
    const parts: CardBody = [head, ...textBlocks(m.text ?? '', budget), ...files, hint];
    const body: CardBody = m.kind === 'note' ? [new Container(...parts).withStyle('warning')] : parts;
    return cardActivity(adaptiveCard(body, [], { id: `parley-internal:${m.messageId}` }), summary);
  }, TEXT_BUDGET);
}
