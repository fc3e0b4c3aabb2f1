import type { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/postgresql';
import { type Conversation, CsatSurvey, type Group } from '../db/entities/index.ts';
import { sendRefusal } from '../domain/channel-rules.ts';
import { capabilitiesOf } from '../domain/channels.ts';
import { skippedLine, surveyText } from '../domain/csat.ts';
import type { DomainEvent } from '../domain/events.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { contactDisplayName } from './mirror-items.ts';
import { appendMessage, appendSystemLine, messageCreated } from './timeline.ts';

const csatActor = { kind: 'system' } as const;

/**
 * R42, inside the close's transaction: a conversation of a group with CSAT on gets its one rating
 * request, due for the csat job. A conversation that already has one (closed before, reopened)
 * is never asked again.
 */
export async function markCsatDue(
  tx: EntityManager,
  record: (...events: DomainEvent[]) => void,
  conv: Conversation,
  group: Group,
  now: Date,
): Promise<void> {
  if (group.csat !== 'on') return;
  if ((await tx.count(CsatSurvey, { conversation: conv.id })) > 0) return;
  const survey = tx.create(CsatSurvey, {
    account: conv.account,
    conversation: conv,
    group,
    agentIds: [...conv.assigneeIds],
    state: 'due',
    channel: conv.channel,
    closedAt: now,
    createdAt: now,
  });
  record({ type: 'csat.due', surveyId: survey.id });
}

export type AskOutcome = 'asked' | 'skipped' | 'nothing_to_do';

/**
 * The csat job: sends the rating request as an automatic reply on the conversation's channel (the
 * deliver worker takes it from there, under R7 again), or records in the thread why it cannot go:
 * the customer opted out, or WhatsApp's 24-hour window has closed (only a template may go then,
 * and none is set up for ratings). An automatic reply never counts as the team's answer (R11) and
 * leaves the conversation closed.
 */
export async function askForRating(
  ctx: UseCaseContext,
  surveyId: string,
): Promise<WithEvents<{ outcome: AskOutcome }>> {
  return inTransaction(ctx, async (tx, record, now) => {
    const survey = await tx.findOne(
      CsatSurvey,
      { id: surveyId },
      {
        populate: ['conversation', 'conversation.contact', 'conversation.group'],
        lockMode: LockMode.PESSIMISTIC_WRITE,
      },
    );
    if (survey?.state !== 'due') return { outcome: 'nothing_to_do' as const };
    const conv = survey.conversation;
    if (conv.status === 'deleted') {
      survey.state = 'skipped';
      survey.reason = 'the conversation was deleted.';
      return { outcome: 'skipped' as const };
    }
    const text = surveyText(conv.channel);
    const capabilities = capabilitiesOf(conv.channel);
    const refusal = capabilities
      ? sendRefusal({
          capabilities,
          contactName: await contactDisplayName(tx, conv),
          hasIdentity: true,
          hasPortalProfile: !!conv.contact.portalProfile,
          // Just closed: an anonymous visitor may still be on the page (the webchat adapter checks).
          inLiveConversation: true,
          optedOut: conv.contact.optedOutChannels.includes(conv.channel),
          isTemplate: false,
          hasAttachments: false,
          textLength: text.length,
          lastInboundAt: conv.lastInboundAt ?? null,
          now,
        })
      : { message: `Parley has no channel called "${conv.channel}".` };
    if (refusal) {
      survey.state = 'skipped';
      survey.reason = refusal.message;
      const line = await appendSystemLine(
        tx,
        conv,
        csatActor,
        'csat.skipped',
        skippedLine(refusal.message),
        now,
        {
          surveyId,
        },
      );
      record(messageCreated(conv, line));
      return { outcome: 'skipped' as const };
    }
    const message = await appendMessage(tx, conv, {
      kind: 'auto_response',
      text,
      channel: conv.channel,
      endpoint: conv.endpoint ?? null,
      deliver: true,
      meta: { auto: 'csat', csat: surveyId },
      now,
    });
    survey.state = 'asked';
    survey.messageId = message.id;
    survey.askedAt = now;
    record(messageCreated(conv, message));
    return { outcome: 'asked' as const };
  });
}

/** For the reconciler: surveys still due whose csat job was lost (closed before `settledBefore`). */
export async function dueSurveys(em: EntityManager, settledBefore: Date, limit: number): Promise<string[]> {
  const rows = await em.find(
    CsatSurvey,
    { state: 'due', closedAt: { $lt: settledBefore } },
    { fields: ['id'], orderBy: { closedAt: 'asc' }, limit },
  );
  return rows.map((s) => s.id);
}
