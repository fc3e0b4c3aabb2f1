import { z } from 'zod';
import type { Actor } from '../domain/actor.ts';
import type { UseCaseContext, WithEvents } from './context.ts';
import { inTransaction } from './context.ts';
import { attachmentSchema, hasText, parseInput, sourceSchema } from './input.ts';
import { loadActingUser, loadConversationFor } from './load.ts';
import { appendMessage, messageCreated } from './timeline.ts';

export const addNoteSchema = z
  .object({
    conversationId: z.uuid(),
    text: z.string().optional(),
    attachments: z.array(attachmentSchema).optional(),
    source: sourceSchema.optional(),
    /** R41: a plain thread message kept as a note, and why (write-in-thread.ts); kept in its meta. */
    keptAsNote: z.enum(['explicit', 'mentions']).optional(),
  })
  .refine(
    (n) => hasText(n.text) || (n.attachments?.length ?? 0) > 0,
    'A note needs text or an attachment. Write something before saving.',
  );

export type AddNoteInput = z.input<typeof addNoteSchema>;

/**
 * R5: a private note in a conversation, for the team only. It is never queued for delivery, and
 * the customer transcript and the AI context leave notes out by kind.
 */
export async function addNote(
  ctx: UseCaseContext,
  actor: Actor,
  raw: AddNoteInput,
): Promise<WithEvents<{ conversationId: string; messageId: string }>> {
  const input = parseInput(addNoteSchema, raw);
  return inTransaction(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const conv = await loadConversationFor(tx, user, input.conversationId);
    const note = await appendMessage(tx, conv, {
      kind: 'note',
      author: user,
      text: input.text ?? null,
      attachments: input.attachments ?? [],
      deliver: false,
      source: input.source ?? null,
      ...(input.keptAsNote ? { meta: { keptAsNote: input.keptAsNote } } : {}),
      now,
    });
    record(messageCreated(conv, note));
    return { conversationId: conv.id, messageId: note.id };
  });
}
