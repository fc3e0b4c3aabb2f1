import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Contact, Conversation, Message } from '../db/entities/index.ts';
import { isOpenAt } from '../domain/business-hours.ts';
import { AppError } from '../domain/errors.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { assertChannelAllows } from './send-to-contact.ts';
import { appendMessage, messageCreated } from './timeline.ts';

/** At most one automatic message per conversation in this many minutes, unless the group says otherwise. */
export const DEFAULT_AUTO_INTERVAL_MINUTES = 240;

export type AutoKind = 'away' | 'greeting' | 'greeting+away';

/** Why nothing was sent (a log line, never an error). */
export type AutoSkipReason =
  /** The conversation is closed or deleted (or gone). */
  | 'not_open'
  /** The group's auto responder is off. */
  | 'off'
  /** No customer message waits for a reply since the last look. */
  | 'nothing_waiting'
  /** The customer's message is a channel keyword (SMS STOP, START, HELP): a setting, not a question. */
  | 'keyword'
  /** The group's AI agent answers this conversation itself (R14). */
  | 'ai_answers'
  /** Inside business hours and no greeting due (or no text configured for what is due). */
  | 'nothing_due'
  /** An automatic message went out less than the interval before the customer's message. */
  | 'interval'
  /** The channel's rules refuse it (R7: SMS opt-out, WhatsApp window...); see `refusal`. */
  | 'channel_refused';

export interface AutoRespondResult {
  conversationId: string;
  sent: boolean;
  /** The auto_response message queued for delivery. */
  messageId: string | null;
  auto?: AutoKind;
  reason?: AutoSkipReason;
  /** For `channel_refused`: the R7 refusal's code and message. */
  refusal?: { code: string; message: string };
}

export interface AutoRespondOptions {
  /**
   * The customer message that woke the job. It is looked at even when its time (the provider's,
   * which can lag) is not after the last look; the interval and greeting rules keep that safe.
   */
  messageId?: string;
}

/**
 * R37: the auto responder looks at the customer's messages that arrived since it last looked.
 * Outside business hours (judged at the latest message's time) the customer gets the away message,
 * a first-time contact the greeting (both: one message, greeting first), at most once per
 * conversation per interval and under the channel's rules (R7). The message is an `auto_response`
 * queued for delivery like any reply; it does not answer the customer (R11: they stay unreplied).
 * Runs under the conversation's row lock, so two looks never both send.
 */
export async function autoRespond(
  ctx: UseCaseContext,
  conversationId: string,
  opts: AutoRespondOptions = {},
): Promise<WithEvents<AutoRespondResult>> {
  return inTransaction(ctx, async (tx, record, now) => {
    const conv = await tx.findOne(
      Conversation,
      { id: conversationId },
      { lockMode: LockMode.PESSIMISTIC_WRITE, populate: ['group'] },
    );
    if (conv?.status !== 'open')
      return { conversationId, sent: false, messageId: null, reason: 'not_open' as const };
    const markChecked = () => {
      // Never moves back (a job on another machine with a slower clock).
      if (!conv.autoCheckedAt || conv.autoCheckedAt < now) conv.autoCheckedAt = now;
    };
    const skip = (reason: AutoSkipReason, extra: Partial<AutoRespondResult> = {}): AutoRespondResult => {
      markChecked();
      return { conversationId, sent: false, messageId: null, reason, ...extra };
    };

    const settings = conv.group.autoResponder;
    if (!settings?.enabled) return skip('off');
    const latest = await latestWaiting(tx, conv, opts.messageId);
    if (!latest) return skip('nothing_waiting');
    // Answering STOP would write to someone leaving (its opt-out is recorded just after the message).
    if (latest.meta?.optKeyword) return skip('keyword');
    const ai = conv.group.aiAgent;
    if (ai?.enabled && conv.aiState === 'active' && ai.mode !== 'draft') return skip('ai_answers');

    const facts = await pastFacts(tx, conv);
    const away = !!settings.awayMessage && !isOpenAt(settings, latest.createdAt);
    const greet =
      !!settings.greeting && !facts.greeted && !facts.teamWrote && (await isFirstConversation(tx, conv));
    if (!away && !greet) return skip('nothing_due');
    const intervalMs = (settings.intervalMinutes ?? DEFAULT_AUTO_INTERVAL_MINUTES) * 60_000;
    if (facts.lastAutoAt && latest.createdAt.getTime() - facts.lastAutoAt.getTime() < intervalMs)
      return skip('interval');

    const auto: AutoKind = greet && away ? 'greeting+away' : greet ? 'greeting' : 'away';
    const text = [greet ? settings.greeting : null, away ? settings.awayMessage : null]
      .filter(Boolean)
      .join('\n\n');
    const contact = await tx.findOneOrFail(Contact, { id: conv.contact.id });
    try {
      await assertChannelAllows(tx, {
        contact,
        channel: conv.channel,
        endpoint: conv.endpoint ?? null,
        text,
        inLiveConversation: conv.lastInboundAt != null,
        now,
      });
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== 'channel_refused') throw e;
      const code = typeof e.details?.reason === 'string' ? e.details.reason : 'refused';
      return skip('channel_refused', { auto, refusal: { code, message: e.message } });
    }

    const message = await appendMessage(tx, conv, {
      kind: 'auto_response',
      text,
      channel: conv.channel,
      endpoint: conv.endpoint ?? null,
      deliver: true,
      meta: { auto },
      now,
    });
    record(messageCreated(conv, message));
    markChecked();
    return { conversationId, sent: true, messageId: message.id, auto };
  });
}

/** The latest customer message still waiting for a reply that the auto responder has not looked at. */
function latestWaiting(tx: EntityManager, conv: Conversation, hintId: string | undefined) {
  const unseen = conv.autoCheckedAt ? [{ createdAt: { $gt: conv.autoCheckedAt } }] : [{}];
  return tx.findOne(
    Message,
    {
      conversation: conv,
      kind: 'inbound',
      awaitingReply: true,
      $or: hintId ? [...unseen, { id: hintId }] : unseen,
    },
    // In the order they were appended (a provider's timestamp can be older than an earlier message's).
    { orderBy: { seq: 'desc' } },
  );
}

interface PastFacts {
  /** When the latest automatic message was appended. */
  lastAutoAt: Date | null;
  /** The greeting was sent in this conversation. */
  greeted: boolean;
  /** A person or the AI agent wrote to the customer in this conversation (it is not a first contact's hello). */
  teamWrote: boolean;
}

async function pastFacts(tx: EntityManager, conv: Conversation): Promise<PastFacts> {
  const [row] = await tx
    .getConnection()
    .execute<{ last_auto_at: Date | string | null; greeted: boolean | null; team_wrote: boolean | null }[]>(
      // A rating request (R42) is no auto response of the interval: it closed an earlier exchange.
      `select max(created_at) filter (where kind = 'auto_response' and meta->>'auto' is distinct from 'csat') as last_auto_at,
            bool_or(kind = 'auto_response' and meta->>'auto' in ('greeting', 'greeting+away')) as greeted,
            bool_or(kind in ('reply', 'ai')) as team_wrote
       from message where conversation_id = ?`,
      [conv.id],
      'all',
      tx.getTransactionContext(),
    );
  return {
    lastAutoAt: row?.last_auto_at ? new Date(row.last_auto_at) : null,
    greeted: !!row?.greeted,
    teamWrote: !!row?.team_wrote,
  };
}

/**
 * The contact had no conversation before this one, in any group and in any state (a closed or
 * deleted one still means they wrote before). Ties on the creation time go by id, so of two
 * first conversations opened at once in two groups exactly one is the first.
 */
async function isFirstConversation(tx: EntityManager, conv: Conversation): Promise<boolean> {
  const rows = await tx
    .getConnection()
    .execute<{ one: number }[]>(
      `select 1 as one from conversation where contact_id = ? and id <> ? and (created_at, id) < (?, ?) limit 1`,
      [conv.contact.id, conv.id, conv.createdAt, conv.id],
      'all',
      tx.getTransactionContext(),
    );
  return rows.length === 0;
}
