import { z } from 'zod';
import type { Viewer } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import { join, type Sql, sql } from './sql.ts';
import { unreadFor } from './viewer-scope.ts';

/**
 * R10: the filters every conversation list accepts (Team inbox, My inbox, search, tiles). They
 * combine with `and`. Validated here because they arrive from slash commands, dialogs and the API.
 */
export const conversationFiltersSchema = z.object({
  /** One of the viewer's groups; all of them when absent. */
  groupId: z.uuid().optional(),
  /** Open by default; closed conversations only on request (R20). */
  status: z.enum(['open', 'closed', 'all']).default('open'),
  assigneeId: z.uuid().optional(),
  unassigned: z.boolean().optional(),
  channel: z.string().trim().min(1).max(32).optional(),
  contactId: z.uuid().optional(),
  /** Words of the contact's name, each matched as a prefix ("dan cust" finds "Dana Customer"). */
  contactName: z.string().trim().min(1).max(200).optional(),
  /** Words in any message or note of the conversation, each matched as a prefix. */
  text: z.string().trim().min(1).max(500).optional(),
  unread: z.boolean().optional(),
  unreplied: z.boolean().optional(),
  /** R39: the customer's wait passed the group's SLA target. */
  breaching: z.boolean().optional(),
});

export type ConversationFilters = z.input<typeof conversationFiltersSchema>;
export type ParsedFilters = z.output<typeof conversationFiltersSchema>;

export function parseFilters(input: ConversationFilters): ParsedFilters {
  const parsed = conversationFiltersSchema.safeParse(input);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.join('.') || 'filter';
    throw new AppError(
      'validation_failed',
      `The ${where} filter is not valid: ${first?.message ?? 'check it'}.`,
      {
        rule: 'R10',
        issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      },
    );
  }
  return parsed.data;
}

/**
 * A prefix tsquery from free text: only runs of letters and digits survive, so no tsquery
 * operator (`&`, `|`, `!`, `:`, parentheses) typed by a user reaches `to_tsquery`. Null when no word is left.
 */
export function prefixTsQuery(text: string): string | null {
  const words = searchWords(text);
  if (words.length === 0) return null;
  return words.map((w) => `${w}:*`).join(' & ');
}

/** The words of free text a search looks for (at most 16), lower-cased. */
export const searchWords = (text: string): string[] =>
  (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 16);

/** Message `m` contains every word of a prefixTsQuery; the message_text_fts index's expression. */
export const messageMatches = (tsQuery: string): Sql =>
  sql`to_tsvector('simple', coalesce(m.text, '')) @@ to_tsquery('simple', ${tsQuery})`;

/**
 * A cheap test every message matching the words passes (a word that starts a lexeme is in the
 * text), to run before messageMatches on messages read one by one: ILIKE costs a fraction of
 * to_tsvector. Only plain ASCII words, whose lower-casing cannot differ between the two.
 */
export function messageMayMatch(words: readonly string[]): Sql {
  const plain = words.filter((w) => /^[a-z0-9]+$/.test(w));
  return join(
    plain.map((w) => sql`m.text ilike ${`%${w}%`}`),
    'and',
  );
}

/** Whether a filter narrows beyond status, so internal chats (no group, contact or channel) cannot match. */
export const narrowsToCustomerConversations = (f: ParsedFilters): boolean =>
  f.status === 'closed' ||
  f.assigneeId !== undefined ||
  f.unassigned !== undefined ||
  f.channel !== undefined ||
  f.contactId !== undefined ||
  f.contactName !== undefined ||
  f.text !== undefined ||
  f.unread !== undefined ||
  f.unreplied !== undefined ||
  f.breaching !== undefined;

/** The filters except `text`, as SQL conditions on conversation `c`. */
export function filterConditions(viewer: Viewer, f: ParsedFilters): Sql[] {
  const where: Sql[] = [];
  if (f.status === 'all') where.push(sql`c.status in ('open', 'closed')`);
  else where.push(sql`c.status = ${f.status}`);
  if (f.assigneeId !== undefined) where.push(sql`c.assignee_ids @> array[${f.assigneeId}]::text[]`);
  if (f.unassigned === true) where.push(sql`c.assignee_ids = '{}'`);
  if (f.unassigned === false) where.push(sql`c.assignee_ids <> '{}'`);
  if (f.channel !== undefined) where.push(sql`c.channel = ${f.channel}`);
  if (f.contactId !== undefined) where.push(sql`c.contact_id = ${f.contactId}`);
  if (f.contactName !== undefined) {
    const q = prefixTsQuery(f.contactName);
    // Same expression as the contact_name_fts index, so the index serves it.
    where.push(
      q === null
        ? sql`false`
        : sql`c.contact_id in (select ct.id from contact ct
            where to_tsvector('simple', coalesce(ct.name, '')) @@ to_tsquery('simple', ${q}))`,
    );
  }
  // `text` is not a plain condition: conversation-candidates.ts picks how to search (R10).
  if (f.unread === true) where.push(unreadFor(viewer));
  if (f.unread === false) where.push(sql`not (${unreadFor(viewer)})`);
  if (f.unreplied === true) where.push(sql`c.unreplied_count > 0`);
  if (f.unreplied === false) where.push(sql`c.unreplied_count = 0`);
  if (f.breaching === true) where.push(sql`c.sla_breached_at is not null`);
  if (f.breaching === false) where.push(sql`c.sla_breached_at is null`);
  return where;
}
