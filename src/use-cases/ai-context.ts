import type { EntityManager } from '@mikro-orm/postgresql';
import { type Attachment, Message } from '../db/entities/index.ts';
import type { AiContextEntry } from '../ports/ai-model.ts';

export type { AiContextEntry };

/** Only what the customer and the team said to each other. Notes and system lines are never loaded (R5). */
const roleOf = { inbound: 'customer', reply: 'agent', auto_response: 'agent', ai: 'ai' } as const;
const contextKinds = Object.keys(roleOf) as (keyof typeof roleOf)[];

/** The conversation as the AI agent may read it, oldest first. */
export async function buildAiContext(em: EntityManager, conversationId: string): Promise<AiContextEntry[]> {
  const messages = await em.find(
    Message,
    { conversation: conversationId, kind: { $in: contextKinds } },
    { orderBy: { seq: 'asc' } },
  );
  return messages.flatMap((m) => {
    const role = roleOf[m.kind as keyof typeof roleOf];
    const text = [m.text ?? '', ...(m.attachments ?? []).map(describeAttachment)].filter(Boolean).join('\n');
    return role && text ? [{ role, text }] : [];
  });
}

/** The AI reads that an attachment exists, not its bytes. */
const describeAttachment = (a: Attachment) =>
  `[${a.kind}${a.name ? `: ${a.name}` : ''}${a.caption ? ` — ${a.caption}` : ''}]`;
