import { type Conversation, User } from '../../../../src/db/entities/index.ts';
import { userActor } from '../../../../src/domain/actor.ts';
import { AppError, isAppError } from '../../../../src/domain/errors.ts';
import { addNote } from '../../../../src/use-cases/add-note.ts';
import { draftToEdit, sendAiDraft } from '../../../../src/use-cases/ai-drafts.ts';
import { assignConversation } from '../../../../src/use-cases/assign-conversation.ts';
import { loadConversationFor } from '../../../../src/use-cases/load.ts';
import { contactDisplayName } from '../../../../src/use-cases/mirror-items.ts';
import { restrictVisibility } from '../../../../src/use-cases/restrict-visibility.ts';
import { savedRepliesFor } from '../../../../src/use-cases/saved-replies.ts';
import { sendReply } from '../../../../src/use-cases/send-reply.ts';
import { sendSavedReply } from '../../../../src/use-cases/send-saved-reply.ts';
import {
  aiDraftDialog,
  assignDialog,
  type DialogSubject,
  type DialogSubmit,
  type DialogVerb,
  dialogMessage,
  dialogResponse,
  noteDialog,
  parseDialogOpen,
  parseDialogSubmit,
  replyDialog,
  visibilityDialog,
} from '../cards/dialogs.ts';
import { CARD_VERBS, type InboundActivity } from '../ports.ts';
import type { TeamsInboundDeps } from './deps.ts';
import { closeDialogAnswer, type InvokeAnswer } from './invoke-answers.ts';
import { actingUser } from './linked-user.ts';

/**
 * The dialogs behind the header card's Assign…, Visibility…, Add note… and Reply… (R30, R31), and
 * an AI draft's Edit… (R36: opens only while the draft waits; its submission sends the text as the
 * person's reply, and a draft decided meanwhile replaces the dialog with who decided it).
 * `task/fetch` opens one for a conversation the person may see (its pickers offer the group's
 * active members); `task/submit` runs the use-case. A refusal keeps the dialog open with the
 * reason above what was entered; one about the conversation itself (gone, restricted meanwhile)
 * replaces the dialog with the reason, so nothing of it stays shown.
 */

const answer = (body: unknown): InvokeAnswer => ({ status: 200, body });

export async function onDialogFetch(deps: TeamsInboundDeps, a: InboundActivity): Promise<InvokeAnswer> {
  const acting = await actingUser(deps, a);
  if ('refusal' in acting) return answer(dialogMessage(acting.refusal));
  try {
    const opened = parseDialogOpen(a.value);
    const { conv, subject } = await dialogSubject(deps, acting.user, opened.conversationId);
    return answer(await drawDialog(deps, acting.user, conv, subject, opened));
  } catch (err) {
    if (!isAppError(err)) throw err;
    return answer(dialogMessage(err.message));
  }
}

export async function onDialogSubmit(deps: TeamsInboundDeps, a: InboundActivity): Promise<InvokeAnswer> {
  const acting = await actingUser(deps, a);
  if ('refusal' in acting) return answer(dialogMessage(acting.refusal));
  const { user } = acting;
  let submitted: DialogSubmit;
  try {
    submitted = parseDialogSubmit(submittedVerb(a.value), a.value);
  } catch (err) {
    if (!isAppError(err)) throw err;
    return answer(dialogMessage(err.message));
  }
  try {
    const notice = await run(deps, user, submitted);
    return notice ? answer(dialogMessage(notice)) : closeDialogAnswer();
  } catch (err) {
    if (!isAppError(err)) throw err;
    // Drawn again only for a conversation the person may still see, with their entries kept.
    try {
      const { conv, subject } = await dialogSubject(deps, user, submitted.conversationId);
      return answer(await drawDialog(deps, user, conv, subject, submitted, err.message));
    } catch (again) {
      if (!isAppError(again)) throw again;
      return answer(dialogMessage(again.message));
    }
  }
}

/** Runs a submission; returns a sentence for the person when the outcome needs one. */
async function run(deps: TeamsInboundDeps, user: User, s: DialogSubmit): Promise<string | null> {
  const actor = userActor(user.id);
  switch (s.verb) {
    case CARD_VERBS.assign:
      await assignConversation(deps.context(), actor, {
        conversationId: s.conversationId,
        assigneeIds: s.assigneeIds,
      });
      return null;
    case CARD_VERBS.visibility:
      await restrictVisibility(deps.context(), actor, {
        conversationId: s.conversationId,
        visibleToIds: s.visibleToIds,
      });
      return null;
    case CARD_VERBS.note:
      await addNote(deps.context(), actor, { conversationId: s.conversationId, text: s.text });
      return null;
    case CARD_VERBS.reply:
      return (
        s.saved
          ? await sendSavedReply(deps.context(), actor, { conversationId: s.conversationId, name: s.saved })
          : await sendReply(deps.context(), actor, { conversationId: s.conversationId, text: s.text })
      ).notice;
    case CARD_VERBS.aiDraftEdit:
      await sendAiDraft(deps.context(), actor, { draftId: s.draftId, text: s.text });
      return null;
  }
}

/** A dialog to draw: as opened (nothing entered yet), or as submitted (entries kept). */
type DialogDraft = DialogSubmit | { verb: DialogVerb; conversationId: string; draftId?: string };

async function drawDialog(
  deps: TeamsInboundDeps,
  user: User,
  conv: Conversation,
  subject: DialogSubject,
  draft: DialogDraft,
  error?: string,
) {
  const e = error ? { error } : {};
  switch (draft.verb) {
    case CARD_VERBS.assign: {
      const assigneeIds = 'assigneeIds' in draft ? draft.assigneeIds : conv.assigneeIds;
      const card = assignDialog(subject, { members: await groupMembers(deps, conv), assigneeIds, ...e });
      return dialogResponse(card, `Assign #${subject.number}`);
    }
    case CARD_VERBS.visibility: {
      const visibleToIds = 'visibleToIds' in draft ? draft.visibleToIds : (conv.visibleToIds ?? null);
      const card = visibilityDialog(subject, { members: await groupMembers(deps, conv), visibleToIds, ...e });
      return dialogResponse(card, `Who sees #${subject.number}`);
    }
    case CARD_VERBS.note:
      return dialogResponse(
        noteDialog(subject, { ...('text' in draft ? { text: draft.text } : {}), ...e }),
        `Note on #${subject.number}`,
      );
    case CARD_VERBS.reply: {
      const saved = (await savedRepliesFor(deps.em(), user)).map((r) => ({ name: r.name, mine: !!r.owner }));
      const kept = {
        ...('text' in draft ? { text: draft.text } : {}),
        ...('saved' in draft && draft.saved ? { chosen: draft.saved } : {}),
      };
      return dialogResponse(replyDialog(subject, { ...kept, saved, ...e }), `Reply on #${subject.number}`);
    }
    case CARD_VERBS.aiDraftEdit: {
      // Drawn only while the draft waits: decided meanwhile, the refusal says by whom.
      const { draft: message, conv: of } = await draftToEdit(deps.em(), user, draft.draftId ?? '');
      if (of.id !== conv.id) throw new AppError('not_found', 'That AI draft does not exist.');
      const text = 'text' in draft ? draft.text : (message.text ?? '');
      return dialogResponse(
        aiDraftDialog(subject, { draftId: message.id, text, ...e }),
        `AI draft on #${subject.number}`,
      );
    }
  }
}

/** The conversation a dialog is for, loaded for the person: one they may not see is refused (R17). */
async function dialogSubject(deps: TeamsInboundDeps, user: User, conversationId: string) {
  const em = deps.em();
  const conv = await loadConversationFor(em, user, conversationId, { lock: false });
  await em.populate(conv, ['contact']);
  const subject: DialogSubject = {
    conversationId: conv.id,
    number: conv.number,
    contactName: await contactDisplayName(em, conv),
  };
  return { conv, subject };
}

/** Who a picker offers: the active users of the conversation's group. */
async function groupMembers(deps: TeamsInboundDeps, conv: Conversation) {
  const users = await deps
    .em()
    .find(User, { groupIds: { $contains: [conv.group.id] }, active: true }, { orderBy: { name: 'asc' } });
  return users.map((u) => ({ id: u.id, name: u.name }));
}

/** The verb a submission names (its submit button's data; parseDialogSubmit checks the rest). */
function submittedVerb(value: unknown): string {
  const data = (value as { data?: { verb?: unknown } } | null)?.data;
  return typeof data?.verb === 'string' ? data.verb : '';
}
