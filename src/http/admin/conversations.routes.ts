import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Attachment } from '../../db/entities/index.ts';
import { findActingUser } from '../../queries/acting-user.ts';
import { type ConversationRef, conversationDetail } from '../../queries/conversation-detail.ts';
import { conversationInvoices } from '../../queries/conversation-invoices.ts';
import { searchConversations } from '../../queries/search-conversations.ts';
import { toViewer } from '../../use-cases/load.ts';
import type { AppEnv } from '../env.ts';
import {
  actingUserHeaders,
  conversationDetailView,
  conversationListItem,
  conversationListQuery,
  conversationParams,
  detailQuery,
  pageOf,
  toListItem,
} from './conversation-views.ts';
import { type FileLink, fileLinker } from './file-links.ts';
import { adminRouter, errors, json } from './openapi.ts';

const tags = ['Conversations'];

export interface ConversationRoutesConfig {
  adminToken: string | undefined;
  publicUrl: string;
  /** Where the admin API is mounted (`/api/admin`): file links are served under it. */
  base: string;
}

/** R33: the user named in X-Parley-User, as the database has them now. */
export async function actingUser(c: Context<AppEnv>, ref: string) {
  return findActingUser(c.get('em'), ref);
}

/** `1042` is a number, anything else (already validated) an id. */
export const toRef = (id: string): ConversationRef => (/^\d+$/.test(id) ? { number: Number(id) } : { id });

const attachmentOut = (a: Attachment, link: FileLink) => ({
  id: a.id,
  kind: a.kind,
  name: a.name ?? null,
  mimeType: a.mimeType ?? null,
  size: a.size ?? null,
  status: a.status ?? (a.storageKey ? ('stored' as const) : null),
  failureReason: a.failureReason ?? null,
  url: link(a),
  latitude: a.latitude ?? null,
  longitude: a.longitude ?? null,
  caption: a.caption ?? null,
});

const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : null);

/**
 * R9/R10/R17: the conversations the acting user may see, and one of them in full. A conversation
 * outside their groups answers 404; a restricted one they are not on answers 403 naming only its
 * number (R17: at most that it exists).
 */
export const conversationRoutes = (cfg: ConversationRoutesConfig) =>
  adminRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/conversations',
        operationId: 'listConversations',
        tags,
        summary: 'List and search conversations',
        description:
          'The customer conversations the acting user may see (R17), newest activity first, filtered as in ' +
          'R10. Filters combine. Page with `cursor`.',
        request: { headers: actingUserHeaders, query: conversationListQuery },
        responses: {
          200: json(pageOf(conversationListItem), 'A page of conversations.'),
          ...errors(400, 403, 422),
        },
      }),
      async (c) => {
        const user = await actingUser(c, c.req.valid('header')['x-parley-user']);
        const q = c.req.valid('query');
        const assignee =
          q.assignee === undefined
            ? {}
            : q.assignee.toLowerCase() === 'none'
              ? { unassigned: true }
              : { assigneeId: q.assignee.toLowerCase() === 'me' ? user.id : q.assignee.toLowerCase() };
        const page = await searchConversations(c.get('em'), toViewer(user), {
          ...(q.status ? { status: q.status } : {}),
          ...(q.groupId ? { groupId: q.groupId } : {}),
          ...assignee,
          ...(q.unreplied !== undefined ? { unreplied: q.unreplied } : {}),
          ...(q.unread !== undefined ? { unread: q.unread } : {}),
          ...(q.channel ? { channel: q.channel } : {}),
          ...(q.contactId ? { contactId: q.contactId } : {}),
          ...(q.words ? { text: q.words } : {}),
          ...(q.cursor ? { cursor: q.cursor } : {}),
          ...(q.limit ? { limit: q.limit } : {}),
        });
        return c.json({ items: page.items.map(toListItem), nextCursor: page.nextCursor }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/conversations/{id}',
        operationId: 'getConversation',
        tags,
        summary: 'Get a conversation with its messages and invoices',
        description:
          'Header, messages in order (notes flagged `note`, Parley’s own lines flagged `system`, attachments ' +
          'as signed links valid for an hour), invoices and checkouts. The latest `limit` messages; page ' +
          'back with `beforeSeq`. Reading does not mark the conversation read.',
        request: { headers: actingUserHeaders, params: conversationParams, query: detailQuery },
        responses: {
          200: json(conversationDetailView, 'The conversation.'),
          ...errors(403, 404, 422),
        },
      }),
      async (c) => {
        const user = await actingUser(c, c.req.valid('header')['x-parley-user']);
        const em = c.get('em');
        const q = c.req.valid('query');
        const detail = await conversationDetail(em, toViewer(user), toRef(c.req.valid('param').id), {
          ...(q.beforeSeq !== undefined ? { beforeSeq: q.beforeSeq } : {}),
          ...(q.limit !== undefined ? { limit: q.limit } : {}),
        });
        const { invoices, checkouts } = await conversationInvoices(em, detail.header.id);
        const link = fileLinker({
          adminToken: cfg.adminToken ?? '',
          publicUrl: cfg.publicUrl,
          base: cfg.base,
        });
        const h = detail.header;
        return c.json(
          {
            id: h.id,
            number: h.number,
            status: h.status,
            groupId: h.groupId,
            channel: h.channel,
            contact: h.contact,
            assignees: h.assignees,
            visibleTo: h.visibleTo,
            restricted: h.restricted,
            aiState: h.aiState,
            unrepliedCount: h.unrepliedCount,
            oldestUnrepliedAt: iso(h.oldestUnrepliedAt),
            unread: h.unread,
            messages: detail.timeline.map((m) => ({
              id: m.id,
              seq: m.seq,
              kind: m.kind,
              note: m.kind === 'note',
              system: m.kind === 'system',
              author: m.author,
              text: m.text,
              attachments: m.attachments.map((a) => attachmentOut(a, link)),
              templateName: m.templateName,
              channel: m.channel,
              deliveryState: m.deliveryState ?? null,
              deliveryReason: m.deliveryReason,
              awaitingReply: m.awaitingReply,
              aiHandoff: m.aiHandoff,
              createdAt: iso(m.createdAt)!,
            })),
            hasEarlier: detail.hasEarlier,
            invoices: invoices.map((i) => ({ ...i, paidAt: iso(i.paidAt), createdAt: iso(i.createdAt)! })),
            checkouts: checkouts.map((k) => ({ ...k, paidAt: iso(k.paidAt), createdAt: iso(k.createdAt)! })),
          },
          200,
        );
      },
    );
