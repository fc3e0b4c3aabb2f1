import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Actor } from '../domain/actor.ts';
import type { UseCaseContext, WithEvents } from './context.ts';
import { parseInput, sourceSchema } from './input.ts';
import { loadActingUser, loadConversationFor } from './load.ts';
import { fillPlaceholders, findSavedReply, placeholderValues, savedReplyName } from './saved-replies.ts';
import { type SendReplyResult, sendReply } from './send-reply.ts';

const sendSavedSchema = z.object({
  conversationId: z.uuid(),
  name: savedReplyName,
  source: sourceSchema.optional(),
});

/**
 * R40: a saved reply sent in a conversation: its placeholders filled in for this contact and
 * agent, then sent as the agent's normal reply (sendReply: every channel rule holds — on WhatsApp
 * outside the 24-hour window only a template goes, so a saved text is refused there as any text).
 */
export async function sendSavedReply(
  ctx: UseCaseContext,
  actor: Actor,
  raw: z.input<typeof sendSavedSchema>,
): Promise<WithEvents<SendReplyResult>> {
  const input = parseInput(sendSavedSchema, raw);
  const em = ctx.em.fork() as EntityManager;
  const user = await loadActingUser(em, actor);
  const conv = await loadConversationFor(em, user, input.conversationId, {
    lock: false,
    populate: ['contact'],
  });
  const saved = await findSavedReply(em, user, input.name);
  const text = fillPlaceholders(
    saved.text,
    placeholderValues(conv.contact.name ?? null, user.name, conv.number),
  );
  return sendReply(ctx, actor, {
    conversationId: conv.id,
    text,
    ...(input.source ? { source: input.source } : {}),
  });
}
