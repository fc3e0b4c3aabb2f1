import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Contact, type Conversation, type Message } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { shouldAiAnswer } from '../domain/ai.ts';
import { AppError } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import { dropPendingDrafts } from './ai-drafts.ts';
import { attachmentSchema, hasText } from './input.ts';
import { assertChannelAllows } from './send-to-contact.ts';
import { appendMessage, appendSystemLine, messageCreated } from './timeline.ts';

export const recordAiReplySchema = z
  .object({
    conversationId: z.uuid(),
    text: z.string().optional(),
    attachments: z.array(attachmentSchema).optional(),
    /** The AI hands the conversation to a human with this message (R14). */
    handoff: z.boolean().default(false),
    handoffReason: z.string().optional(),
    /** R36: what the model tells the person taking over, kept as a private note. */
    handoffSummary: z.string().max(4_000).optional(),
    /** R36 draft mode: the answer waits in the thread for a person instead of going out. */
    draft: z.boolean().default(false),
  })
  .refine(
    (r) => hasText(r.text) || (r.attachments?.length ?? 0) > 0 || r.handoff,
    'An AI reply needs text or attachments, unless it only hands the conversation to a human.',
  );

export type RecordAiReplyInput = z.input<typeof recordAiReplySchema>;
type Parsed = z.infer<typeof recordAiReplySchema>;

/**
 * R11, R14, R36: the AI agent answers the customer, inside the ai-reply job's transaction with the
 * conversation locked (finish-ai-turn.ts, claim-ai-turn.ts). Its message is marked as AI and
 * queued for delivery (or, in draft mode, waits in the thread for a person); it counts as a reply
 * unless it hands the conversation to a human, after which the AI stays silent in the conversation
 * (further replies are refused) and waiting messages wait for a human.
 */
export async function applyAiReply(
  tx: EntityManager,
  record: (...events: DomainEvent[]) => void,
  now: Date,
  conv: Conversation,
  actor: Actor,
  input: Parsed,
): Promise<{ message: Message | null; note: Message | null }> {
  if (actor.kind !== 'ai') throw new AppError('forbidden', 'Only the AI agent can post AI replies.');
  if (!shouldAiAnswer(conv)) {
    const why =
      conv.status !== 'open'
        ? `conversation #${conv.number} is ${conv.status}`
        : conv.aiState === 'handed_off'
          ? `conversation #${conv.number} was handed to a human; the AI agent stays silent until it is closed`
          : `the AI agent is not on for conversation #${conv.number}`;
    throw new AppError('conflict', `The AI agent cannot answer: ${why}.`, {
      rule: 'R14',
      aiState: conv.aiState,
    });
  }
  let message: Message | null = null;
  if (hasText(input.text) || (input.attachments?.length ?? 0) > 0) {
    if (input.draft) {
      await dropPendingDrafts(tx, record, conv);
      message = await appendMessage(tx, conv, {
        kind: 'ai_draft',
        text: input.text ?? null,
        attachments: input.attachments ?? [],
        meta: { ai: true, ...(input.handoff ? { withHandoff: true } : {}) },
        now,
      });
      message.draftState = 'pending';
    } else {
      const contact = await tx.findOneOrFail(Contact, { id: conv.contact.id });
      await assertChannelAllows(tx, {
        contact,
        channel: conv.channel,
        endpoint: conv.endpoint ?? null,
        text: input.text,
        attachments: input.attachments,
        inLiveConversation: conv.lastInboundAt != null,
        now,
      });
      message = await appendMessage(tx, conv, {
        kind: 'ai',
        text: input.text ?? null,
        attachments: input.attachments ?? [],
        channel: conv.channel,
        endpoint: conv.endpoint ?? null,
        deliver: true,
        aiHandoff: input.handoff,
        meta: { ai: true },
        now,
      });
    }
    record(messageCreated(conv, message));
  }
  let note: Message | null = null;
  if (input.handoff) {
    conv.aiState = 'handed_off';
    conv.aiHandoffAt = now;
    const reason = input.handoffReason?.trim();
    const line = await appendSystemLine(
      tx,
      conv,
      actor,
      'ai.handoff',
      `The AI agent handed this conversation to a human${reason ? `: ${reason}` : '.'}`,
      now,
      reason ? { reason } : {},
    );
    record(messageCreated(conv, line), {
      type: 'conversation.updated',
      conversationId: conv.id,
      groupId: conv.group.id,
      change: 'ai',
    });
    const summary = input.handoffSummary?.trim();
    if (summary) {
      // R5: a private note for the person taking over; it never reaches the customer.
      note = await appendMessage(tx, conv, { kind: 'note', text: summary, meta: { ai: true }, now });
      record(messageCreated(conv, note));
    }
  }
  return { message, note };
}
