import { z } from 'zod';
import { Group } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import type { AiState } from '../domain/ai.ts';
import { AppError } from '../domain/errors.ts';
import { dropPendingDrafts } from './ai-drafts.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';
import { loadActingUser, loadConversationFor } from './load.ts';
import { appendSystemLine, messageCreated } from './timeline.ts';

export const setAiModeSchema = z.object({
  conversationId: z.uuid(),
  /** `human`: take the conversation over from the AI agent; `ai`: hand it (back) to the AI agent. */
  mode: z.enum(['human', 'ai']),
});

export type SetAiModeInput = z.input<typeof setAiModeSchema>;

/**
 * R14, R30: a user hands a conversation to a human (the AI agent goes silent in it) or back to the
 * AI agent, which only a group with an enabled AI agent allows.
 */
export async function setAiMode(
  ctx: UseCaseContext,
  actor: Actor,
  raw: SetAiModeInput,
): Promise<WithEvents<{ conversationId: string; aiState: AiState; changed: boolean }>> {
  const input = parseInput(setAiModeSchema, raw);
  return inTransaction(ctx, async (tx, record, now) => {
    const user = await loadActingUser(tx, actor);
    const conv = await loadConversationFor(tx, user, input.conversationId);
    const unchanged = { conversationId: conv.id, aiState: conv.aiState, changed: false };

    if (input.mode === 'ai') {
      const group = await tx.findOneOrFail(Group, { id: conv.group.id });
      if (!group.aiAgent?.enabled) {
        throw new AppError(
          'rule_violation',
          `The group "${group.name}" has no AI agent enabled, so the conversation stays with the team. An admin can turn the AI agent on in the group settings.`,
          { rule: 'R14' },
        );
      }
      if (conv.status !== 'open') {
        throw new AppError(
          'conflict',
          `Conversation #${conv.number} is ${conv.status}. Reopen it before handing it to the AI agent.`,
          {
            rule: 'R14',
          },
        );
      }
      if (conv.aiState === 'active') return unchanged;
      conv.aiState = 'active';
      conv.aiHandoffAt = null;
    } else {
      if (conv.aiState !== 'active') return unchanged;
      conv.aiState = 'handed_off';
      conv.aiHandoffAt = now;
      await dropPendingDrafts(tx, record, conv);
    }

    const text =
      input.mode === 'ai'
        ? `${user.name} handed the conversation to the AI agent.`
        : `${user.name} took the conversation over from the AI agent.`;
    const line = await appendSystemLine(tx, conv, actor, `ai.${input.mode}`, text, now);
    record(messageCreated(conv, line), {
      type: 'conversation.updated',
      conversationId: conv.id,
      groupId: conv.group.id,
      change: 'ai',
    });
    return { conversationId: conv.id, aiState: conv.aiState, changed: true };
  });
}
