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
  /** R42: a rating request; the widget shows it as a card that answers POST /webchat/api/csat. */
  survey?: { id: string };
  at: string;
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
      ...(e.surveyId ? { survey: { id: e.surveyId } } : {}),
      at: e.at.toISOString(),
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
