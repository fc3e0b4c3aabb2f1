import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { ChannelEndpoint, ContactIdentity, Conversation, CsatSurvey, Message } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import {
  CSAT_ANSWER_DAYS,
  cleanComment,
  parseRatingChoiceId,
  parseTypedRating,
  ratedLine,
} from '../domain/csat.ts';
import { AppError } from '../domain/errors.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';
import { loadConversationLocked } from './load.ts';
import { appendSystemLine, messageCreated } from './timeline.ts';

export const csatAnswerInput = z.object({
  channel: z.string().min(1),
  endpointAddress: z.string().min(1),
  /** The customer's address on the channel: only they answer their own survey. */
  address: z.string().min(1),
  /** Named by the answer itself (a WhatsApp list row, the webchat card); otherwise the pending one. */
  surveyId: z.uuid().nullable(),
  rating: z.number().int().min(1, 'rating must be 1 to 5').max(5, 'rating must be 1 to 5'),
  comment: z.string().max(5_000).nullable(),
  provider: z.string().min(1),
  providerMessageId: z.string().min(1),
});
export type CsatAnswerInput = z.input<typeof csatAnswerInput>;

export interface CsatAnswerResult {
  conversationId: string;
  messageId: string;
  duplicate: boolean;
}

/**
 * An inbound message that may answer a rating request (R42): a WhatsApp list choice, or a digit 1–5
 * (and a comment) typed on SMS or WhatsApp. Anything else is an ordinary message.
 */
export function answerIn(m: {
  channel: string;
  text?: string;
  meta?: Record<string, unknown>;
}): Pick<CsatAnswerInput, 'surveyId' | 'rating' | 'comment'> | null {
  if (m.channel !== 'sms' && m.channel !== 'whatsapp') return null;
  const interactive = m.meta?.interactive as { id?: unknown } | undefined;
  const chosen = parseRatingChoiceId(interactive?.id);
  if (chosen) return { surveyId: chosen.surveyId, rating: chosen.rating, comment: null };
  const typed = parseTypedRating(m.text);
  return typed ? { surveyId: null, ...typed } : null;
}

/**
 * Records the customer's rating on the survey it answers and shows it in the thread as a Parley
 * line (mirrored like every system line, so a restricted conversation's stays restricted, R17).
 * The closed conversation stays closed and no conversation opens. Returns null when there is no
 * survey this answers: a typed digit without a pending request (none asked, already answered,
 * older than CSAT_ANSWER_DAYS, or the contact has written since) is an ordinary message.
 */
export async function recordCsatAnswer(
  ctx: UseCaseContext,
  actor: Actor,
  raw: CsatAnswerInput,
): Promise<WithEvents<CsatAnswerResult> | null> {
  const input = parseInput(csatAnswerInput, raw);
  const allowed =
    (actor.kind === 'provider' && actor.channel === input.channel) ||
    (actor.kind === 'contact' && input.channel === 'webchat');
  if (!allowed)
    throw new AppError(
      'forbidden',
      `Only the ${input.channel} provider can deliver ${input.channel} answers.`,
    );
  const found = await inTransaction(ctx, async (tx, record, now) => {
    const seen = await tx.findOne(Message, {
      provider: input.provider,
      providerMessageId: input.providerMessageId,
    });
    if (seen)
      return { result: { conversationId: seen.conversation.id, messageId: seen.id, duplicate: true } };
    const survey = await surveyAnswered(tx, input, now);
    if (!survey) return { result: null };
    const conv = survey.conversation;
    if (survey.state === 'answered') {
      // A second tap on the same list or card: the first answer stands, nothing opens.
      if (input.surveyId)
        return {
          result: { conversationId: conv.id, messageId: survey.messageId ?? conv.id, duplicate: true },
        };
      return { result: null };
    }
    const comment = cleanComment(input.comment);
    survey.state = 'answered';
    survey.rating = input.rating;
    survey.comment = comment;
    survey.answeredAt = now;
    const line = await appendSystemLine(
      tx,
      conv,
      actor,
      'csat.answered',
      ratedLine(input.rating, comment),
      now,
      {
        surveyId: survey.id,
        rating: input.rating,
      },
    );
    line.provider = input.provider;
    line.providerMessageId = input.providerMessageId;
    record(messageCreated(conv, line));
    return { result: { conversationId: conv.id, messageId: line.id, duplicate: false } };
  });
  return found.result ? { ...found.result, events: found.events } : null;
}

/** The survey this answer is for, if it is the sender's and still open to an answer; its conversation locked. */
async function surveyAnswered(tx: EntityManager, input: z.output<typeof csatAnswerInput>, now: Date) {
  const endpoint = await tx.findOne(ChannelEndpoint, {
    channel: input.channel,
    address: input.endpointAddress,
  });
  if (!endpoint) return null;
  const identity = await tx.findOne(ContactIdentity, {
    account: endpoint.account,
    channel: input.channel,
    address: input.address,
  });
  if (!identity) return null;
  const since = new Date(now.getTime() - CSAT_ANSWER_DAYS * 86_400_000);
  if (input.surveyId) {
    const survey = await tx.findOne(
      CsatSurvey,
      { id: input.surveyId, state: { $in: ['asked', 'answered'] } },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!survey?.askedAt || survey.askedAt < since) return null;
    const conv = await loadConversationLocked(tx, survey.conversation.id);
    return conv.contact.id === identity.contact.id ? survey : null;
  }
  // A typed digit answers only the request of the contact's latest conversation with this group,
  // still closed: once they have written again (R22 opens a new one) or it was reopened, it is a message.
  const latest = await tx.findOne(
    Conversation,
    { contact: identity.contact, group: endpoint.group, status: { $ne: 'deleted' } },
    { orderBy: { createdAt: 'desc' }, lockMode: LockMode.PESSIMISTIC_WRITE },
  );
  if (latest?.status !== 'closed') return null;
  return tx.findOne(CsatSurvey, {
    conversation: latest,
    state: 'asked',
    channel: input.channel,
    askedAt: { $gte: since },
  });
}
