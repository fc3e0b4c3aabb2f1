import { Conversation, type User } from '../../../../src/db/entities/index.ts';
import { userActor } from '../../../../src/domain/actor.ts';
import { isAppError } from '../../../../src/domain/errors.ts';
import { discardAiDraft, sendAiDraft } from '../../../../src/use-cases/ai-drafts.ts';
import { itemsByIds } from '../../../../src/use-cases/mirror-items.ts';
import { cardOf } from '../cards/card-kit.ts';
import { itemMessage } from '../cards/item-message.ts';
import { CARD_VERBS } from '../ports.ts';
import type { TeamsInboundDeps } from './deps.ts';
import { cardAnswer, type InvokeAnswer, messageAnswer } from './invoke-answers.ts';

/**
 * An AI draft's Send and Discard (R36), pressed on its card (Action.Execute, data `{ draftId }`).
 * The use-cases (src/use-cases/ai-drafts.ts) check the person (R33, R17), decide the draft once
 * and, for Send, make it that person's reply under every channel rule. The answer is the draft's
 * card as it is now (who sent or discarded it, no buttons) for the person who pressed; the mirror
 * redraws it for everyone else. A refusal ("already sent by Ada", "closed") is a line for them alone.
 */
export const DRAFT_VERBS: ReadonlySet<string> = new Set([CARD_VERBS.aiDraftSend, CARD_VERBS.aiDraftDiscard]);

export async function onDraftAction(
  deps: TeamsInboundDeps,
  user: User,
  verb: string,
  data: Record<string, unknown>,
  personal: boolean,
): Promise<InvokeAnswer> {
  const actor = userActor(user.id);
  const draftId = typeof data.draftId === 'string' ? data.draftId : '';
  try {
    const done =
      verb === CARD_VERBS.aiDraftSend
        ? await sendAiDraft(deps.context(), actor, { draftId })
        : await discardAiDraft(deps.context(), actor, { draftId });
    return await redrawnDraft(deps, done.conversationId, draftId, personal, verb);
  } catch (err) {
    if (!isAppError(err)) throw err;
    return messageAnswer(err.message);
  }
}

/**
 * The draft's card as it is now, for the place it was pressed in. A restricted conversation is
 * never drawn in a channel (the mirror turns its thread into a stub): there, a line for the person.
 */
async function redrawnDraft(
  deps: TeamsInboundDeps,
  conversationId: string,
  draftId: string,
  personal: boolean,
  verb: string,
): Promise<InvokeAnswer> {
  const em = deps.em();
  const conv = await em.findOneOrFail(Conversation, conversationId, { populate: ['group', 'contact'] });
  const [item] = await itemsByIds(em, conv, [draftId]);
  const done = verb === CARD_VERBS.aiDraftSend ? 'sent to the customer as your reply' : 'discarded';
  if (!item || (!personal && conv.visibleToIds)) return messageAnswer(`Done: the AI draft was ${done}.`);
  const activity = itemMessage([item], {
    place: personal ? 'personal' : 'channel',
    conversationNumber: conv.number,
    conversationId: conv.id,
    mediaLink: deps.mediaLink ?? (() => null),
  });
  return cardAnswer(cardOf(activity));
}
