import type { App as BoltApp, ViewSubmitAction } from '@slack/bolt';
import type { User } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { AppError, isAppError } from '../../../src/domain/errors.ts';
import { discardAiDraft, draftToEdit, sendAiDraft } from '../../../src/use-cases/ai-drafts.ts';
import { AI_DRAFT_ACTIONS } from './ai-draft-blocks.ts';
import type { SlackHandlerDeps } from './deps.ts';
import { escapeText } from './escape.ts';
import { type ButtonBody, modalSubject, openModal, tellActor } from './header-actions.ts';
import { linkedUser, lookupEmail, notLinkedText } from './linked-user.ts';
import { AI_DRAFT_EDIT_CALLBACK, aiDraftModal, SLACK_INPUT_MAX } from './modals.ts';

/**
 * The buttons on an AI draft's post (R36): Send sends it as it is, Edit… opens a modal with its
 * text and sends what the user leaves there, Discard (after Slack's confirmation) drops it. Each
 * button's value is the draft's message id. Sent, it is that user's reply under every channel
 * rule; the use-cases (src/use-cases/ai-drafts.ts) check the user (R33, R17) and decide a draft
 * once. A refusal ("already sent by Ada", "conversation closed") is told to the user who pressed,
 * privately, in the thread; on success there is nothing to say: the draft's post is redrawn (who
 * sent or discarded it, no buttons) and the reply appears in the thread from the change itself.
 */
export function registerAiDraftActions(app: BoltApp, deps: SlackHandlerDeps): void {
  const button = (
    actionId: string,
    run: (user: User, draftId: string, body: ButtonBody) => Promise<unknown>,
  ) =>
    app.action<ButtonBody>(actionId, async ({ ack, body, action }) => {
      await ack();
      const user = await linkedUser(deps.em(), body.user.id, (id) => lookupEmail(deps, id));
      if (!user) return tellActor(deps, body, notLinkedText);
      try {
        await run(user, action.value ?? '', body);
      } catch (err) {
        if (!isAppError(err)) throw err;
        // A refusal may quote a user's name: escaped, never markup.
        await tellActor(deps, body, escapeText(err.message));
      }
    });

  button(AI_DRAFT_ACTIONS.send, (user, draftId) =>
    sendAiDraft(deps.context(), userActor(user.id), { draftId }),
  );
  button(AI_DRAFT_ACTIONS.discard, (user, draftId) =>
    discardAiDraft(deps.context(), userActor(user.id), { draftId }),
  );
  // The modal opens only for a draft still waiting, in a conversation the user may see (R17).
  button(AI_DRAFT_ACTIONS.edit, async (user, draftId, body) => {
    const { draft, conv } = await draftToEdit(deps.em(), user, draftId);
    const text = draft.text ?? '';
    if (text.length > SLACK_INPUT_MAX) {
      throw new AppError(
        'validation_failed',
        `This AI draft is longer than Slack's edit box takes (${SLACK_INPUT_MAX.toLocaleString('en')} characters). Send it as it is, or discard it and write your own reply.`,
      );
    }
    const { subject } = await modalSubject(deps, user, conv.id);
    await openModal(deps, body, aiDraftModal(subject, draft.id, text));
  });

  app.view<ViewSubmitAction>(AI_DRAFT_EDIT_CALLBACK, async ({ ack, body }) => {
    const error = await submitEdited(deps, body);
    // A refusal stays in the open modal, on the text it is about; none closes it.
    await ack(error ? { response_action: 'errors', errors: { draft: error } } : undefined);
  });
}

/** Sends the edited text of the modal's draft; returns what to show on the field when refused. */
async function submitEdited(deps: SlackHandlerDeps, body: ViewSubmitAction): Promise<string | undefined> {
  const user = await linkedUser(deps.em(), body.user.id, (id) => lookupEmail(deps, id));
  if (!user) return notLinkedText;
  try {
    await sendAiDraft(deps.context(), userActor(user.id), {
      draftId: body.view.private_metadata,
      text: body.view.state.values.draft?.text?.value ?? '',
    });
    return undefined;
  } catch (err) {
    if (!isAppError(err)) throw err;
    return err.message;
  }
}
