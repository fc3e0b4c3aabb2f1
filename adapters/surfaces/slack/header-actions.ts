import type { BlockAction, App as BoltApp, ButtonAction } from '@slack/bolt';
import type { Conversation, User } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { capabilitiesOf } from '../../../src/domain/channels.ts';
import { isAppError } from '../../../src/domain/errors.ts';
import { assignToMe } from '../../../src/use-cases/assign-conversation.ts';
import { closeConversation } from '../../../src/use-cases/close-conversation.ts';
import { parseInput } from '../../../src/use-cases/input.ts';
import { loadConversationFor } from '../../../src/use-cases/load.ts';
import { conversationIdInput } from '../../../src/use-cases/management-support.ts';
import { contactDisplayName } from '../../../src/use-cases/mirror-items.ts';
import { reopenConversation } from '../../../src/use-cases/reopen-conversation.ts';
import { savedRepliesFor } from '../../../src/use-cases/saved-replies.ts';
import type { SlackHandlerDeps } from './deps.ts';
import { escapeText } from './escape.ts';
import { linkedUser, lookupEmail, notLinkedText } from './linked-user.ts';
import {
  assignModal,
  type ModalSubject,
  noteModal,
  pickerPeople,
  registerModalSubmissions,
  visibilityModal,
} from './modals.ts';
import { registerReplyActions, replyModal } from './reply-actions.ts';
import { HEADER_ACTIONS } from './thread-blocks.ts';
import { tellPrivately, tellUser } from './thread-messages.ts';

export type ButtonBody = BlockAction<ButtonAction>;

/**
 * The buttons on a conversation's header message (R30), in the shared thread or in a user's DM
 * with the app (R31). Each button's value is the conversation id. The use-cases check the acting
 * user (R33); a refusal is told to that user privately, with what to do. On success there is
 * nothing to say: the header and the thread redraw from the change itself.
 */
export function registerHeaderActions(app: BoltApp, deps: SlackHandlerDeps): void {
  const button = (
    actionId: string,
    run: (user: User, conversationId: string, body: ButtonBody) => Promise<unknown>,
  ) =>
    app.action<ButtonBody>(actionId, async ({ ack, body, action }) => {
      await ack();
      const user = await linkedUser(deps.em(), body.user.id, (id) => lookupEmail(deps, id));
      if (!user) return tellActor(deps, body, notLinkedText);
      try {
        const { conversationId } = parseInput(conversationIdInput, { conversationId: action.value ?? '' });
        await run(user, conversationId, body);
      } catch (err) {
        if (!isAppError(err)) throw err;
        // A refusal may quote a customer's or a user's name: escaped, never markup.
        await tellActor(deps, body, escapeText(err.message));
      }
    });
  const as = (user: User) => userActor(user.id);

  button(HEADER_ACTIONS.assignMe, (user, conversationId) =>
    assignToMe(deps.context(), as(user), { conversationId }),
  );
  button(HEADER_ACTIONS.close, (user, conversationId) =>
    closeConversation(deps.context(), as(user), { conversationId }),
  );
  button(HEADER_ACTIONS.reopen, (user, conversationId) =>
    reopenConversation(deps.context(), as(user), { conversationId }),
  );

  // The modals open only for a conversation the user may see, so they never show a restricted one's people.
  button(HEADER_ACTIONS.assign, async (user, conversationId, body) => {
    const { conv, subject } = await modalSubject(deps, user, conversationId);
    await openModal(deps, body, assignModal(subject, await pickerPeople(deps, conv.assigneeIds)));
  });
  button(HEADER_ACTIONS.visibility, async (user, conversationId, body) => {
    const { conv, subject } = await modalSubject(deps, user, conversationId);
    const listed = conv.visibleToIds ?? null;
    await openModal(deps, body, visibilityModal(subject, listed && (await pickerPeople(deps, listed))));
  });
  button(HEADER_ACTIONS.note, async (user, conversationId, body) => {
    const { subject } = await modalSubject(deps, user, conversationId);
    await openModal(deps, body, noteModal(subject));
  });
  button(HEADER_ACTIONS.reply, async (user, conversationId, body) => {
    const { subject } = await modalSubject(deps, user, conversationId);
    const saved = (await savedRepliesFor(deps.em(), user)).map((r) => ({ name: r.name, mine: !!r.owner }));
    await openModal(deps, body, replyModal(subject, saved));
  });

  registerModalSubmissions(app, deps);
  registerReplyActions(app, deps);
}

/**
 * A private line (mrkdwn, already escaped) to the user who pressed a button, in the thread of the
 * post they pressed (a header, an AI draft).
 */
export async function tellActor(deps: SlackHandlerDeps, body: ButtonBody, text: string): Promise<void> {
  if (body.channel && body.message) {
    const threadTs = (body.message.thread_ts as string | undefined) ?? body.message.ts;
    return tellPrivately(deps, { channel: body.channel.id, user: body.user.id, threadTs }, text);
  }
  // A button outside any channel message: the app's DM with the user (a user id works as channel).
  await tellUser(deps, body.user.id, text);
}

export async function openModal(deps: SlackHandlerDeps, body: ButtonBody, view: object): Promise<void> {
  await deps.api.call('views.open', { trigger_id: body.trigger_id, view });
}

export async function modalSubject(
  deps: SlackHandlerDeps,
  user: User,
  conversationId: string,
): Promise<{ conv: Conversation; subject: ModalSubject }> {
  const em = deps.em();
  const conv = await loadConversationFor(em, user, conversationId, { lock: false });
  await em.populate(conv, ['contact']);
  const channel = capabilitiesOf(conv.channel)?.label ?? conv.channel;
  const name = escapeText(await contactDisplayName(em, conv));
  return {
    conv,
    subject: {
      conversationId: conv.id,
      number: conv.number,
      about: `*#${conv.number} · ${name}* · ${channel}`,
    },
  };
}
