import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import {
  ChannelEndpoint,
  Contact,
  type Conversation,
  Group,
  Message,
  type User,
} from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { hasText, parseInput } from './input.ts';
import { loadActingUser, loadConversationFor } from './load.ts';
import { markReadWithin } from './mark-read.ts';
import { sendToContact } from './send-to-contact.ts';
import { messageCreated } from './timeline.ts';

/**
 * R36, draft mode: the AI agent's proposed answer waits in the thread. A person sends it (as it is
 * or edited), and then it is that person's reply under every channel rule; or discards it. Either
 * way it is decided once: a second click is told who decided first.
 */
export const sendAiDraftSchema = z.object({
  draftId: z.uuid(),
  /** The edited text; the draft's own text when absent. */
  text: z.string().max(10_000).optional(),
});
export const discardAiDraftSchema = z.object({ draftId: z.uuid() });

export interface AiDraftResult {
  conversationId: string;
  conversationNumber: number;
  /** The reply that went out (send only). */
  messageId: string | null;
}

export async function sendAiDraft(
  ctx: UseCaseContext,
  actor: Actor,
  raw: z.input<typeof sendAiDraftSchema>,
): Promise<WithEvents<AiDraftResult>> {
  const input = parseInput(sendAiDraftSchema, raw);
  return inTransaction(ctx, async (tx, record, now) => {
    const { user, draft, conv } = await loadPendingDraft(tx, actor, input.draftId, { toSend: true });
    const text = input.text ?? draft.text ?? '';
    if (!hasText(text))
      throw new AppError('validation_failed', 'The answer is empty. Write something before sending.');
    const group = await tx.findOneOrFail(Group, { id: conv.group.id });
    const contact = await tx.findOneOrFail(Contact, { id: conv.contact.id });
    const endpoint = conv.endpoint ? await tx.findOne(ChannelEndpoint, { id: conv.endpoint.id }) : null;
    const sent = await sendToContact(tx, {
      user,
      group,
      contact,
      channel: conv.channel,
      endpoint,
      conversation: conv,
      text,
      template: null,
      attachments: [],
      source: null,
      now,
    });
    decide(draft, 'sent', user, {
      replyId: sent.message.id,
      edited: text.trim() !== (draft.text ?? '').trim(),
    });
    await markReadWithin(tx, user, conv, now);
    record(messageCreated(conv, sent.message), draftChanged(draft, conv.group.id), {
      type: 'conversation.read',
      conversationId: conv.id,
      userId: user.id,
    });
    return { conversationId: conv.id, conversationNumber: conv.number, messageId: sent.message.id };
  });
}

export async function discardAiDraft(
  ctx: UseCaseContext,
  actor: Actor,
  raw: z.input<typeof discardAiDraftSchema>,
): Promise<WithEvents<AiDraftResult>> {
  const input = parseInput(discardAiDraftSchema, raw);
  return inTransaction(ctx, async (tx, record) => {
    // A closed conversation's draft can still be discarded: nothing is sent, and its buttons go.
    const { user, draft, conv } = await loadPendingDraft(tx, actor, input.draftId, { toSend: false });
    decide(draft, 'discarded', user, {});
    record(draftChanged(draft, conv.group.id));
    return { conversationId: conv.id, conversationNumber: conv.number, messageId: null };
  });
}

/** The draft, for a user who may see its conversation (R17), still waiting for a decision. */
async function loadPendingDraft(tx: EntityManager, actor: Actor, draftId: string, opts: { toSend: boolean }) {
  const user = await loadActingUser(tx, actor);
  const found = await tx.findOne(Message, { id: draftId, kind: 'ai_draft' });
  if (!found) throw new AppError('not_found', 'That AI draft does not exist.');
  const conv = await loadConversationFor(tx, user, found.conversation.id);
  // Read again under the conversation's lock: two people clicking at once decide once.
  const draft = await tx.findOneOrFail(Message, { id: draftId }, { refresh: true });
  assertPending(draft, conv, opts);
  return { user, draft, conv };
}

/**
 * The draft an Edit… dialog or modal opens on (Slack, Teams): read only, with the same refusals
 * as sending it would give, so a person is not handed a form for a draft that cannot go.
 */
export async function draftToEdit(
  em: EntityManager,
  user: User,
  rawId: string,
): Promise<{ draft: Message; conv: Conversation }> {
  const { draftId } = parseInput(discardAiDraftSchema, { draftId: rawId });
  const draft = await em.findOne(Message, { id: draftId, kind: 'ai_draft' });
  if (!draft) throw new AppError('not_found', 'That AI draft does not exist.');
  const conv = await loadConversationFor(em, user, draft.conversation.id, { lock: false });
  assertPending(draft, conv, { toSend: true });
  return { draft, conv };
}

function assertPending(draft: Message, conv: Conversation, opts: { toSend: boolean }): void {
  if (draft.draftState !== 'pending') {
    const by = typeof draft.meta.decidedBy === 'string' ? ` by ${draft.meta.decidedBy}` : '';
    const what = {
      sent: `was already sent${by}`,
      discarded: `was discarded${by}; nothing was sent`,
      dropped:
        'is out of date (a newer answer, a reply, a takeover or a close came after it); nothing was sent',
    }[draft.draftState ?? 'dropped'];
    throw new AppError('conflict', `This AI draft in #${conv.number} ${what}.`);
  }
  if (opts.toSend && conv.status !== 'open') {
    throw new AppError(
      'conflict',
      `Conversation #${conv.number} is ${conv.status}, so the AI draft was not sent. Reopen it or write a new reply.`,
    );
  }
}

function decide(draft: Message, state: 'sent' | 'discarded', user: User, extra: Record<string, unknown>) {
  draft.draftState = state;
  // The reconciler redraws posts of recently changed messages whose wake-up was lost.
  draft.deliveryUpdatedAt = new Date();
  draft.meta = { ...draft.meta, decidedBy: user.name, decidedById: user.id, ...extra };
}

export const draftChanged = (draft: Message, groupId: string) =>
  ({
    type: 'message.draft_changed',
    conversationId: draft.conversation.id,
    groupId,
    messageId: draft.id,
    state: draft.draftState ?? 'dropped',
  }) as const;

/**
 * R36: a pending draft goes out of date when a newer one is written, a person replies, takes the
 * conversation over from the AI agent or closes it: its buttons give way to "Out of date".
 */
export async function dropPendingDrafts(
  tx: EntityManager,
  record: (...events: DomainEvent[]) => void,
  conv: Conversation,
): Promise<void> {
  const pending = await tx.find(Message, { conversation: conv, kind: 'ai_draft', draftState: 'pending' });
  for (const d of pending) {
    d.draftState = 'dropped';
    d.deliveryUpdatedAt = new Date();
    record(draftChanged(d, conv.group.id));
  }
}
