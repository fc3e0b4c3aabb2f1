import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type Attachment,
  ContactIdentity,
  Conversation,
  Message,
  type WebchatSession,
} from '../../../src/db/entities/index.ts';
import { isAppError } from '../../../src/domain/errors.ts';
import { customerTranscript } from '../../../src/use-cases/customer-transcript.ts';

/**
 * What the widget shows: the visitor's latest conversation with the widget's group, as the
 * customer sees it (no notes, no system lines: R5). Positions are `<conversationId>:<seq>`, the
 * SSE event id, so a reconnect resumes exactly after the last message the browser got.
 */
export interface WidgetAttachment {
  id: string;
  kind: Attachment['kind'];
  name?: string;
  mimeType?: string;
  size?: number;
  caption?: string;
  latitude?: number;
  longitude?: number;
  /** False while the file is still being fetched, or when it could not be. */
  available: boolean;
}

export interface WidgetMessage {
  id: string;
  conversationId: string;
  seq: number;
  from: 'customer' | 'agent' | 'ai';
  text: string | null;
  attachments: WidgetAttachment[];
  /** R42: a rating request (`kind: 'csat'`); the widget shows it as a card that answers POST /webchat/api/csat. */
  survey?: { id: string };
  at: string;
  /** The author as the team sees them (the agent's name, the AI agent's name); null when none. */
  authorName: string | null;
  /** An automatic message (R37's greeting or away message). */
  automatic?: true;
  /**
   * Absent for an ordinary message. A feature that sends something else (a CSAT card) names it
   * here; a widget that does not know the kind shows its text as an ordinary message.
   */
  kind?: string;
}

/**
 * The marks on the customer's own messages, by position in the conversation: a customer message
 * numbered up to `deliveredSeq` is in the team's Slack or Teams thread (the mirror posted it);
 * up to `readSeq`, a user of the team has read the conversation that far (R12's read marker: they
 * viewed it, pressed "mark read" or replied). Anything else the widget has is stored ("sent").
 */
export interface Receipts {
  conversationId: string;
  deliveredSeq: number;
  readSeq: number;
  /** The customer's latest message: with `readSeq` at or past it there is nothing left to mark. */
  customerSeq: number;
}

export interface Cursor {
  conversationId: string | null;
  seq: number;
}

export const eventId = (m: WidgetMessage) => `${m.conversationId}:${m.seq}`;

/** `Last-Event-ID` as sent by the browser: `<conversationId>:<seq>`, or a bare seq of the current one. */
export function parseCursor(lastEventId: string | undefined | null): Cursor {
  const m = /^(?:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):)?(\d{1,9})$/i.exec(
    lastEventId?.trim() ?? '',
  );
  if (!m) return { conversationId: null, seq: 0 };
  return { conversationId: m[1]?.toLowerCase() ?? null, seq: Number(m[2]) };
}

/** The contact this session speaks as; null until the visitor's first message creates it. */
export async function sessionContactId(em: EntityManager, session: WebchatSession): Promise<string | null> {
  const identity = await em.findOne(ContactIdentity, {
    account: session.account,
    channel: 'webchat',
    address: session.address,
  });
  return identity?.contact.id ?? null;
}

export async function currentConversation(em: EntityManager, session: WebchatSession) {
  const contactId = await sessionContactId(em, session);
  if (!contactId) return null;
  const conv = await em.findOne(
    Conversation,
    { contact: contactId, group: session.endpoint.group, status: { $ne: 'deleted' } },
    { orderBy: { createdAt: 'desc' } },
  );
  return conv ? { contactId, conversationId: conv.id } : null;
}

const publicAttachment = (a: Attachment): WidgetAttachment => ({
  id: a.id,
  kind: a.kind,
  name: a.name,
  mimeType: a.mimeType,
  size: a.size,
  caption: a.caption,
  latitude: a.latitude,
  longitude: a.longitude,
  available: !!a.storageKey && a.status !== 'failed',
});

/** A conversation's customer transcript after `afterSeq`, without replies whose delivery failed. */
export async function transcriptAfter(
  em: EntityManager,
  conversationId: string,
  contactId: string,
  afterSeq: number,
): Promise<WidgetMessage[]> {
  const entries = await customerTranscript(em, conversationId, { contactId, afterSeq });
  const outbound = entries.filter((e) => e.from !== 'customer').map((e) => e.id);
  // A reply refused for this visitor (R7: they had left) was never theirs to see.
  const failed = outbound.length
    ? new Set(
        (await em.find(Message, { id: { $in: outbound }, deliveryState: 'failed' }, { fields: ['id'] })).map(
          (m) => m.id,
        ),
      )
    : new Set<string>();
  return entries
    .filter((e) => !failed.has(e.id))
    .map((e) => ({
      id: e.id,
      conversationId,
      seq: e.seq,
      from: e.from,
      text: e.text,
      attachments: e.attachments.map(publicAttachment),
      ...(e.surveyId ? { kind: 'csat', survey: { id: e.surveyId } } : {}),
      at: e.at.toISOString(),
      authorName: e.authorName,
      ...(e.automatic ? { automatic: true as const } : {}),
    }));
}

/**
 * Everything after the cursor: the rest of the cursor's conversation (if the visitor's latest
 * conversation has changed since, R22), then the latest conversation from where the cursor is.
 */
export async function messagesAfter(
  em: EntityManager,
  session: WebchatSession,
  cursor: Cursor,
): Promise<WidgetMessage[]> {
  const current = await currentConversation(em, session);
  if (!current) return [];
  const out: WidgetMessage[] = [];
  let afterSeq = cursor.seq;
  if (cursor.conversationId && cursor.conversationId !== current.conversationId) {
    out.push(...(await rest(em, session, cursor.conversationId, current.contactId, cursor.seq)));
    afterSeq = 0;
  }
  out.push(...(await transcriptAfter(em, current.conversationId, current.contactId, afterSeq)));
  return out;
}

async function rest(
  em: EntityManager,
  session: WebchatSession,
  conversationId: string,
  contactId: string,
  afterSeq: number,
) {
  // Only a conversation of this visitor with this widget's group: a cursor is the browser's word.
  const own = await em.count(Conversation, {
    id: conversationId,
    contact: contactId,
    group: session.endpoint.group,
  });
  if (own === 0) return [];
  try {
    return await transcriptAfter(em, conversationId, contactId, afterSeq);
  } catch (err) {
    // Not this visitor's, or deleted (R24): nothing of it is owed to the browser.
    if (isAppError(err) && err.code === 'not_found') return [];
    throw err;
  }
}

/** The receipts of one conversation (the caller checked it is the visitor's), in one statement. */
export async function receiptsOf(em: EntityManager, conversationId: string): Promise<Receipts> {
  const [row] = await em.getConnection().execute<{ delivered: number; read: number; customer: number }[]>(
    `select coalesce((select max(mirrored_seq) from surface_thread where conversation_id = ?), 0) as delivered,
            coalesce((select max(last_read_seq) from read_state where conversation_id = ?), 0) as read,
            coalesce((select max(seq) from message where conversation_id = ? and kind = 'inbound'), 0) as customer`,
    [conversationId, conversationId, conversationId],
  );
  return {
    conversationId,
    deliveredSeq: Number(row?.delivered ?? 0),
    readSeq: Number(row?.read ?? 0),
    customerSeq: Number(row?.customer ?? 0),
  };
}
