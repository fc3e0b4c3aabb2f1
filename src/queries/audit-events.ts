import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Viewer } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import { decodeCursor, keysetBefore, type Page, pageSize, toPage } from './page.ts';
import { join, rows, type Sql, sql } from './sql.ts';
import { visibleConversations } from './viewer-scope.ts';

/** One entry of the audit trail: who (a user, the system, the AI, a provider) did what, when. */
export interface AuditEventItem {
  id: string;
  actorType: 'user' | 'system' | 'ai' | 'provider' | 'contact';
  actorUserId: string | null;
  action: string;
  conversationId: string | null;
  conversationNumber: number | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

export const auditFiltersSchema = z.object({
  conversationId: z.uuid().optional(),
  /** The user who acted. */
  userId: z.uuid().optional(),
  /** An action (`conversation.closed`), or every action under a prefix ending with a dot (`conversation.`). */
  action: z
    .string()
    .trim()
    .regex(
      /^[a-z_]+(\.[a-z_]+)*\.?$/,
      'use an action such as conversation.closed, or a prefix such as conversation.',
    )
    .max(100)
    .optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(100).optional(),
});
export type AuditFilters = z.input<typeof auditFiltersSchema>;

type Row = AuditEventItem & { cursorAt: string };

/**
 * R17/R33 on the trail: an event about a conversation is listed only to a user who may see that
 * conversation now (a deleted one's tombstone to its group's admins: deleting reveals nothing);
 * events about the workspace itself (setup, contacts, broadcasts) only to admins.
 */
function visibleEvents(viewer: Viewer): Sql {
  const groups = [...viewer.groupIds];
  const admin = viewer.role === 'admin';
  const aboutConversation =
    admin && groups.length > 0
      ? sql`(${visibleConversations(viewer, groups)}) or (c.status = 'deleted' and c.group_id in (${groups}))`
      : visibleConversations(viewer, groups);
  return sql`((a.conversation_id is null and ${admin}) or (a.conversation_id is not null and c.id is not null and (${aboutConversation})))`;
}

/** Newest first; filters combine. */
export async function listAuditEvents(
  em: EntityManager,
  viewer: Viewer,
  raw: AuditFilters,
): Promise<Page<AuditEventItem>> {
  const parsed = auditFiltersSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new AppError(
      'validation_failed',
      `The ${first?.path.join('.') || 'filter'} filter is not valid: ${first?.message ?? 'check it'}.`,
      { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) },
    );
  }
  const f = parsed.data;
  const limit = pageSize(f.limit);
  const where: Sql[] = [sql`a.account_id = ${viewer.accountId}`, visibleEvents(viewer)];
  if (f.conversationId) where.push(sql`a.conversation_id = ${f.conversationId}`);
  if (f.userId) where.push(sql`a.actor_user_id = ${f.userId}`);
  if (f.action?.endsWith('.')) where.push(sql`a.action like ${`${f.action}%`}`);
  else if (f.action) where.push(sql`a.action = ${f.action}`);
  if (f.since) where.push(sql`a.created_at >= ${f.since}::timestamptz`);
  if (f.until) where.push(sql`a.created_at < ${f.until}::timestamptz`);
  where.push(keysetBefore(decodeCursor(f.cursor), sql`a.created_at`, sql`a.id`));
  const fetched = await rows<Row>(
    em,
    sql`select a.id, a.actor_type as "actorType", a.actor_user_id as "actorUserId", a.action,
        a.conversation_id as "conversationId", c.number as "conversationNumber", a.data,
        a.created_at as "createdAt",
        to_char(a.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "cursorAt"
      from audit_event a left join conversation c on c.id = a.conversation_id
      where ${join(where, 'and')}
      order by a.created_at desc, a.id desc
      limit ${limit + 1}`,
  );
  return toPage(fetched, limit, ({ cursorAt: _c, ...row }) => ({
    ...row,
    conversationNumber: row.conversationNumber === null ? null : Number(row.conversationNumber),
    createdAt: new Date(row.createdAt),
  }));
}
