import type { EntityManager } from '@mikro-orm/postgresql';
import { type Attachment, Conversation, Message, type TemplateRef } from '../db/entities/index.ts';
import { AppError } from '../domain/errors.ts';

export interface TranscriptEntry {
  id: string;
  seq: number;
  from: 'customer' | 'agent' | 'ai';
  text: string | null;
  attachments: Attachment[];
  template: TemplateRef | null;
  /** R42: this message asks the customer to rate the conversation (the survey's id). */
  surveyId: string | null;
  at: Date;
  /**
   * Who wrote it, as the team sees them: a reply's author (the user's name), the AI agent's name
   * for an AI answer; null for the customer, an automatic message, or an unnamed AI agent.
   */
  authorName: string | null;
  /** An auto response (R37: greeting, away message), written by no one. */
  automatic: boolean;
}

/** What the customer may see. Notes and system lines are not in this list, so they are never loaded (R5). */
const fromOf = { inbound: 'customer', reply: 'agent', auto_response: 'agent', ai: 'ai' } as const;
const customerKinds = Object.keys(fromOf) as (keyof typeof fromOf)[];

/**
 * The conversation as the customer sees it on webchat, oldest first. With `contactId`, a
 * conversation of another contact answers not found (the widget asks for its own contact only).
 */
export async function customerTranscript(
  em: EntityManager,
  conversationId: string,
  opts: { contactId?: string; afterSeq?: number } = {},
): Promise<TranscriptEntry[]> {
  const conv = await em.findOne(
    Conversation,
    { id: conversationId, status: { $ne: 'deleted' } },
    { populate: ['group'] },
  );
  if (!conv || (opts.contactId && conv.contact.id !== opts.contactId)) {
    throw new AppError('not_found', 'That conversation does not exist.');
  }
  const messages = await em.find(
    Message,
    { conversation: conv, kind: { $in: customerKinds }, seq: { $gt: opts.afterSeq ?? 0 } },
    { orderBy: { seq: 'asc' }, populate: ['author'] },
  );
  return messages.map((m) => ({
    id: m.id,
    seq: m.seq,
    from: fromOf[m.kind as keyof typeof fromOf],
    text: m.text ?? null,
    attachments: m.attachments ?? [],
    template: m.template ?? null,
    surveyId: typeof m.meta?.csat === 'string' ? m.meta.csat : null,
    at: m.createdAt,
    authorName:
      m.kind === 'reply'
        ? (m.author?.name ?? null)
        : m.kind === 'ai'
          ? (conv.group.aiAgent?.name ?? null)
          : null,
    automatic: m.kind === 'auto_response',
  }));
}
