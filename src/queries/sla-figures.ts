import type { EntityManager } from '@mikro-orm/postgresql';
import { Group } from '../db/entities/index.ts';
import type { Viewer } from '../domain/actor.ts';
import { businessMinutesBetween } from '../domain/sla.ts';
import { slaCalendar } from '../use-cases/sla-clock.ts';
import { rows, type Sql, sql } from './sql.ts';
import { scopeGroups, visibleConversations } from './viewer-scope.ts';

/**
 * R39: each group's response figures over a period, from the stored waits (sla_wait): the median
 * first-response time in business minutes (the customer's first message to a person's first
 * reply) and the share of finished or breached waits that passed their target. Only groups with
 * SLA targets have waits.
 */
export interface SlaFigures {
  groupId: string;
  groupName: string;
  /** First replies by a person in the period. */
  firstResponses: number;
  /** Their median time, in business minutes; null without any. */
  firstResponseMedianMinutes: number | null;
  /** Waits with a target whose outcome is known (answered, closed or breached). */
  measured: number;
  breached: number;
  /** breached / measured; null when nothing was measured. */
  breachRate: number | null;
}

export const SLA_FIGURES_DAYS = 7;

interface WaitRow {
  group_id: string;
  kind: 'first' | 'next';
  started_at: Date;
  ended_at: Date | null;
  ended_by: 'reply' | 'close' | null;
  due_at: Date | null;
  breached_at: Date | null;
}

/** The figures of the groups the viewer is in, over the conversations the viewer may see (R17). */
export function slaFiguresFor(em: EntityManager, viewer: Viewer, now: Date): Promise<SlaFigures[]> {
  return slaFigures(em, visibleConversations(viewer, scopeGroups(viewer)), now);
}

/**
 * A digest's (and `parley sla report`'s) figures: the group's conversations the whole group sees
 * (restricted ones left out); zeros when it had no wait.
 */
export async function slaFiguresOfGroup(em: EntityManager, group: Group, now: Date): Promise<SlaFigures> {
  const shared = sql`c.account_id = ${group.account.id} and c.group_id = ${group.id} and c.status <> 'deleted' and c.visible_to_ids is null`;
  return figuresOf(group, await waitsOf(em, shared, now), now);
}

function waitsOf(em: EntityManager, visible: Sql, now: Date): Promise<WaitRow[]> {
  const since = new Date(now.getTime() - SLA_FIGURES_DAYS * 86_400_000);
  return rows<WaitRow>(
    em,
    sql`select w.group_id, w.kind, w.started_at, w.ended_at, w.ended_by, w.due_at, w.breached_at
      from sla_wait w join conversation c on c.id = w.conversation_id
      where ${visible} and w.started_at > ${since}`,
  );
}

async function slaFigures(em: EntityManager, visible: Sql, now: Date): Promise<SlaFigures[]> {
  const waits = await waitsOf(em, visible, now);
  if (waits.length === 0) return [];
  const groups = await em.find(
    Group,
    { id: { $in: [...new Set(waits.map((w) => w.group_id))] } },
    { orderBy: { name: 'asc' } },
  );
  return groups.map((g) =>
    figuresOf(
      g,
      waits.filter((w) => w.group_id === g.id),
      now,
    ),
  );
}

function figuresOf(group: Group, waits: WaitRow[], now: Date): SlaFigures {
  const calendar = slaCalendar(group);
  const firsts = waits
    .filter((w) => w.kind === 'first' && w.ended_by === 'reply' && w.ended_at)
    .map((w) => businessMinutesBetween(calendar, new Date(w.started_at), new Date(w.ended_at!)))
    .sort((a, b) => a - b);
  const known = waits.filter((w) => w.due_at && (w.breached_at || w.ended_at || new Date(w.due_at) <= now));
  // Told or not (a reply may beat the check by seconds), a wait that ran past its due time breached.
  const breached = known.filter(
    (w) => w.breached_at || (w.ended_at ? new Date(w.ended_at) : now) > new Date(w.due_at!),
  );
  return {
    groupId: group.id,
    groupName: group.name,
    firstResponses: firsts.length,
    firstResponseMedianMinutes: firsts.length ? Math.round(median(firsts)) : null,
    measured: known.length,
    breached: breached.length,
    breachRate: known.length ? breached.length / known.length : null,
  };
}

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
