import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../domain/actor.ts';
import { rows, type Sql, sql } from './sql.ts';
import { visibleConversations } from './viewer-scope.ts';

/**
 * R42: the ratings of conversations closed since a time, per group and per agent (whoever was
 * assigned at close; a conversation with two assignees counts for each). Who sees what: the
 * viewer's visible conversations on the dashboard (R17), the shared ones in a digest, all in the
 * admin API.
 */

export interface CsatFigures {
  /** Rating requests sent (answered or not). */
  asked: number;
  answered: number;
  /** Requests not sent (opted out, WhatsApp window closed...). */
  skipped: number;
  /** Mean rating 1–5, two decimals; null with no answer. */
  average: number | null;
  /** Share of answers rated 4 or 5, in percent (the usual CSAT score); null with no answer. */
  satisfiedPercent: number | null;
}

export interface CsatAgentSummary extends CsatFigures {
  userId: string;
  name: string;
}

export interface CsatGroupSummary extends CsatFigures {
  groupId: string;
  groupName: string;
  agents: CsatAgentSummary[];
}

/** The dashboard's and digest's period. */
export const CSAT_SUMMARY_DAYS = 7;

const figures = sql`count(*) filter (where s.state in ('asked', 'answered'))::int as "asked",
  count(*) filter (where s.state = 'answered')::int as "answered",
  count(*) filter (where s.state = 'skipped')::int as "skipped",
  round(avg(s.rating), 2)::float8 as "average",
  round(100.0 * count(*) filter (where s.rating >= 4) / nullif(count(s.rating), 0))::int as "satisfiedPercent"`;

type GroupRow = CsatFigures & { groupId: string; groupName: string };
type AgentRow = CsatFigures & { groupId: string; userId: string; name: string };

/** The summary over the conversations (alias `c`) `where` admits, closed since `since`. */
export async function csatSummary(em: EntityManager, where: Sql, since: Date): Promise<CsatGroupSummary[]> {
  const scope = sql`where ${where} and c.status <> 'deleted' and s.closed_at >= ${since}`;
  const groups = await rows<GroupRow>(
    em,
    sql`select c.group_id as "groupId", g.name as "groupName", ${figures}
      from csat_survey s join conversation c on c.id = s.conversation_id join groups g on g.id = c.group_id
      ${scope}
      group by c.group_id, g.name order by g.name`,
  );
  if (groups.length === 0) return [];
  const agents = await rows<AgentRow>(
    em,
    sql`select c.group_id as "groupId", u.id as "userId", u.name, ${figures}
      from csat_survey s join conversation c on c.id = s.conversation_id
      cross join lateral unnest(s.agent_ids) a(agent_id)
      join users u on u.id::text = a.agent_id
      ${scope}
      group by c.group_id, u.id, u.name order by u.name, u.id`,
  );
  return groups.map((g) => ({
    ...g,
    agents: agents.filter((a) => a.groupId === g.groupId).map(({ groupId: _, ...a }) => a),
  }));
}

/** R17: what a user may see: their groups' conversations visible to them. */
export const csatSummaryFor = (em: EntityManager, viewer: Viewer, since: Date) =>
  csatSummary(em, visibleConversations(viewer, viewer.groupIds), since);

/** R27: a group's digest is seen by its whole channel: restricted conversations are left out. */
export const csatSummaryOfGroupChannel = (
  em: EntityManager,
  accountId: string,
  groupId: string,
  since: Date,
) =>
  csatSummary(
    em,
    sql`c.account_id = ${accountId} and c.group_id = ${groupId} and c.visible_to_ids is null`,
    since,
  ).then((g) => g[0] ?? null);

/** The admin API's and CLI's: every group of the account (admins see restricted ones too). */
export const csatSummaryOfAccount = (em: EntityManager, accountId: string, since: Date) =>
  csatSummary(em, sql`c.account_id = ${accountId}`, since);
