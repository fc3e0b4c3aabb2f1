import { Conversation, type User } from '../../../../src/db/entities/index.ts';
import { userActor } from '../../../../src/domain/actor.ts';
import { isAppError } from '../../../../src/domain/errors.ts';
import { assignToMe } from '../../../../src/use-cases/assign-conversation.ts';
import { closeConversation } from '../../../../src/use-cases/close-conversation.ts';
import { parseInput } from '../../../../src/use-cases/input.ts';
import { conversationIdInput } from '../../../../src/use-cases/management-support.ts';
import { buildHeader } from '../../../../src/use-cases/mirror-items.ts';
import { reopenConversation } from '../../../../src/use-cases/reopen-conversation.ts';
import { cardOf } from '../cards/card-kit.ts';
import { headerCard } from '../cards/header-card.ts';
import { CARD_VERBS, type InboundActivity } from '../ports.ts';
import { isPersonalChat } from './activity.ts';
import { DRAFT_VERBS, onDraftAction } from './ai-drafts.ts';
import { onDashboardAction } from './dashboard-actions.ts';
import type { TeamsInboundDeps } from './deps.ts';
import { badActionAnswer, cardAnswer, type InvokeAnswer, messageAnswer } from './invoke-answers.ts';
import { actingUser } from './linked-user.ts';

type Direct = (deps: TeamsInboundDeps, user: User, conversationId: string) => Promise<unknown>;

/** The header card's buttons that act at once (R30): the use-cases check the acting user (R33). */
const DIRECT: Record<string, Direct> = {
  [CARD_VERBS.assignMe]: (deps, user, conversationId) =>
    assignToMe(deps.context(), userActor(user.id), { conversationId }),
  [CARD_VERBS.close]: (deps, user, conversationId) =>
    closeConversation(deps.context(), userActor(user.id), { conversationId }),
  [CARD_VERBS.reopen]: (deps, user, conversationId) =>
    reopenConversation(deps.context(), userActor(user.id), { conversationId }),
};

/**
 * An `adaptiveCard/action` invoke (Action.Execute). Assign to me, Close and Reopen run at once and
 * answer with the redrawn card (the mirror redraws it for everyone else); an AI draft's Send and
 * Discard likewise (ai-drafts.ts); the dashboard's buttons change the viewer's filters. A refusal is a line only the person who pressed sees, saying why
 * and what to do, naming nothing they may not see.
 */
export async function onCardAction(deps: TeamsInboundDeps, a: InboundActivity): Promise<InvokeAnswer> {
  const value = (a.value ?? {}) as { action?: { verb?: unknown; data?: unknown }; trigger?: unknown };
  const verb = typeof value.action?.verb === 'string' ? value.action.verb : '';
  const data = (
    value.action?.data && typeof value.action.data === 'object' ? value.action.data : {}
  ) as Record<string, unknown>;
  const acting = await actingUser(deps, a);
  if ('refusal' in acting) return messageAnswer(acting.refusal);
  const { user } = acting;
  if (verb === CARD_VERBS.dashboard)
    return onDashboardAction(deps, user, data, value.trigger === 'automatic');
  if (DRAFT_VERBS.has(verb)) return onDraftAction(deps, user, verb, data, isPersonalChat(a));
  const run = DIRECT[verb];
  if (!run)
    return badActionAnswer(`Parley does not know the action "${verb}". This card may be out of date.`);
  try {
    const { conversationId } = parseInput(conversationIdInput, { conversationId: data.conversationId });
    await run(deps, user, conversationId);
    return await redrawnHeader(deps, conversationId, isPersonalChat(a));
  } catch (err) {
    if (!isAppError(err)) throw err;
    return messageAnswer(err.message);
  }
}

/**
 * The conversation's header card as it is now, for the place the button was pressed in. A
 * restricted conversation's card in a channel is everyone's to see: it is never drawn there in
 * full (the mirror turns it into a stub), so the answer is a line for the person alone.
 */
async function redrawnHeader(
  deps: TeamsInboundDeps,
  conversationId: string,
  personal: boolean,
): Promise<InvokeAnswer> {
  const em = deps.em();
  const conv = await em.findOneOrFail(Conversation, conversationId, { populate: ['contact'] });
  if (!personal && conv.visibleToIds) return messageAnswer(`Done: #${conv.number} is ${conv.status} now.`);
  const header = await buildHeader(em, conv);
  return cardAnswer(cardOf(headerCard(header, { place: personal ? 'personal' : 'channel' })));
}
