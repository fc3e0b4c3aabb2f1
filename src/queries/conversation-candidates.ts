import type { Viewer } from '../domain/actor.ts';
import {
  filterConditions,
  messageMatches,
  messageMayMatch,
  type ParsedFilters,
  prefixTsQuery,
  searchWords,
} from './conversation-filters.ts';
import { keysetBefore, type Position } from './page.ts';
import { join, type Sql, sql } from './sql.ts';
import { visibleConversations } from './viewer-scope.ts';

/**
 * The conversations of one list page (R9, R10), newest activity first, at most `limit + 1`, before
 * their contact, read mark and preview are added. Every row passes visibleConversations (R17).
 *
 * Order comes from the index conversation (group_id, status, last_message_at, id): one backward
 * walk per group and status, merged (Merge Append), so a page reads about `limit` index entries
 * however many conversations the groups hold, and a costly filter (text) runs on those rows only.
 */

const COLUMNS = sql`c.id, c.number, c.status, c.channel, c.group_id, c.contact_id, c.assignee_ids,
  c.visible_to_ids, c.unreplied_count, c.last_seq, c.last_message_at`;
const NEWEST_FIRST = sql`order by c.last_message_at desc, c.id desc`;

/**
 * Text search (R10): up to this many matching messages, a page is built from the full-text
 * index's hits (about 10 µs each on the benchmark, bench/dashboards.md); past it, walking the
 * newest conversations is cheaper.
 */
export const TEXT_HITS_CAP = 3000;

const statusesOf = (f: ParsedFilters): string[] => (f.status === 'all' ? ['open', 'closed'] : [f.status]);

/** The newest `limit` conversations of the groups passing `where`, merged from one walk per group and status. */
function newestFirst(groups: readonly string[], statuses: readonly string[], where: Sql, limit: number): Sql {
  const branches = groups.flatMap((groupId) =>
    statuses.map(
      (status) => sql`(select ${COLUMNS} from conversation c
        where c.group_id = ${groupId} and c.status = ${status} and ${where} ${NEWEST_FIRST} limit ${limit})`,
    ),
  );
  const union = branches.reduce((a, b) => sql`${a} union all ${b}`);
  return sql`select c.* from (${union}) c ${NEWEST_FIRST} limit ${limit}`;
}

export function pageCandidates(
  viewer: Viewer,
  groups: readonly string[],
  filters: ParsedFilters,
  after: Position | null,
  limit: number,
): Sql {
  if (groups.length === 0) return sql`select ${COLUMNS} from conversation c where false`;
  const where = join(
    [
      visibleConversations(viewer, groups),
      ...filterConditions(viewer, filters),
      keysetBefore(after, sql`c.last_message_at`, sql`c.id`),
    ],
    'and',
  );
  const statuses = statusesOf(filters);
  if (filters.text === undefined) return newestFirst(groups, statuses, where, limit + 1);
  const tsQuery = prefixTsQuery(filters.text);
  if (tsQuery === null) return sql`select ${COLUMNS} from conversation c where false`;
  return textCandidates(groups, statuses, where, { tsQuery, words: searchWords(filters.text) }, limit);
}

/**
 * R10 text search, in steps that each stop early; only one step's rows are returned (`step`
 * picks it, from counts evaluated once):
 * 1. the newest `4 × (limit + 1)` visible conversations are checked for a matching message: a
 *    common word fills the page here (or these were all the viewer's conversations);
 * 2. a word found in at least 1 in 26 of them is walked further, newest first: some 26 checks a
 *    row. Rarer, the walk would cost more than the index (whose prefix matches read every hit);
 * 3. otherwise its messages are counted in the full-text index, up to TEXT_HITS_CAP: a rare word's
 *    page is built from its hits; a word over the cap (common elsewhere) is walked as in step 2.
 * The costliest words are those found in 2–4 % of conversations (bench/dashboards.md).
 */
function textCandidates(
  groups: readonly string[],
  statuses: readonly string[],
  where: Sql,
  text: { tsQuery: string; words: string[] },
  limit: number,
): Sql {
  const firstChecked = 4 * (limit + 1);
  const matches = messageMatches(text.tsQuery);
  // A check of this conversation's own messages: `offset 0` keeps the planner from answering it
  // with the full-text index (all of a common word's hits, for every conversation walked).
  const hasMatch = sql`exists (select 1 from (select m.text from message m where m.conversation_id = c.id offset 0) m
    where ${messageMayMatch(text.words)} and ${matches})`;
  const step = (name: string) => sql`(select s.step from step s) = ${name}`;
  return sql`with newest as materialized (
      select c.*, ${hasMatch} as matched from (${newestFirst(groups, statuses, where, firstChecked)}) c
    ),
    hits as materialized (
      select m.conversation_id from message m where ${matches} limit ${TEXT_HITS_CAP + 1}
    ),
    step as materialized (
      select case
        when count(*) filter (where n.matched) > ${limit} or count(*) < ${firstChecked} then 'newest'
        when count(*) filter (where n.matched) * 26 >= ${firstChecked} then 'walk'
        when (select count(*) from hits) <= ${TEXT_HITS_CAP} then 'hits'
        else 'walk' end as step
      from newest n
    )
    (select ${COLUMNS} from newest c where c.matched and ${step('newest')} ${NEWEST_FIRST} limit ${limit + 1})
    union all
    (select ${COLUMNS} from conversation c
      where ${step('hits')} and c.id in (select h.conversation_id from hits h) and ${where}
      ${NEWEST_FIRST} limit ${limit + 1})
    union all
    (select c.* from (${newestFirst(groups, statuses, sql`${where} and ${hasMatch}`, limit + 1)}) c
      where ${step('walk')})`;
}
