import type { EntityManager } from '@mikro-orm/postgresql';
import { Group, SlaWait } from '../db/entities/index.ts';
import type { BusinessHours } from '../domain/business-hours.ts';
import {
  addBusinessMinutes,
  type SlaKind,
  type SlaSettings,
  targetMinutes,
  warnBeforeMinutes,
} from '../domain/sla.ts';
import { WAIT_KIND_SQL } from './sla-waits.ts';

/**
 * R39: the SLA clock of each waiting customer. The reconciler starts a wait row for every open
 * conversation of a group with targets whose customer waits for a person, with its due and
 * warning times computed in the group's business hours; a person's reply or the close ends it
 * (sla-waits.ts). The warning and the breach are then told by slaCheck jobs (sla-notices.ts).
 */

/** The calendar the clock counts in: the auto responder's hours (R37), on or off; none, all day. */
export function slaCalendar(group: Pick<Group, 'autoResponder'>): BusinessHours | null {
  const a = group.autoResponder;
  return a ? { timeZone: a.timeZone, hours: a.hours, holidays: a.holidays } : null;
}

export interface WaitTimes {
  dueAt: Date | null;
  warnAt: Date | null;
}

/** When a wait of this kind, started at `startedAt`, is due and when its assignees hear of it. */
export function waitTimes(
  group: Pick<Group, 'autoResponder'> & { sla?: SlaSettings | null },
  kind: SlaKind,
  contactTags: readonly string[],
  startedAt: Date,
): WaitTimes {
  const target = group.sla ? targetMinutes(group.sla, kind, contactTags) : null;
  if (target === null || !group.sla) return { dueAt: null, warnAt: null };
  const calendar = slaCalendar(group);
  const warnBefore = warnBeforeMinutes(group.sla, target);
  try {
    return {
      dueAt: addBusinessMinutes(calendar, startedAt, target),
      warnAt: warnBefore > 0 ? addBusinessMinutes(calendar, startedAt, target - warnBefore) : null,
    };
  } catch (e) {
    // Business hours that never open: no wait is ever due (the wait is still timed for the figures).
    if (e instanceof RangeError) return { dueAt: null, warnAt: null };
    throw e;
  }
}

interface Waiting {
  conversation_id: string;
  account_id: string;
  group_id: string;
  since: Date;
  tags: string[];
  kind: SlaKind;
}

/** A wait just recorded: what its two wake-ups need. */
export type StartedWait = { id: string } & WaitTimes;

/**
 * Records the waits that began since the last run (one per waiting conversation); returns them,
 * so the caller can wake their checks. A wait already recorded is left alone.
 */
export async function startSlaWaits(em: EntityManager, batch: number): Promise<StartedWait[]> {
  const waiting = await em.getConnection().execute<Waiting[]>(
    `select c.id as conversation_id, c.account_id, c.group_id, c.human_waiting_since as since,
            ct.tags, ${WAIT_KIND_SQL} as kind
       from conversation c
       join groups g on g.id = c.group_id and g.sla is not null
       join contact ct on ct.id = c.contact_id
      where c.status = 'open' and c.human_waiting_since is not null
        and not exists (select 1 from sla_wait w where w.conversation_id = c.id and w.started_at = c.human_waiting_since)
      limit ?`,
    [batch],
  );
  if (waiting.length === 0) return [];
  const groups = new Map(
    (await em.find(Group, { id: { $in: [...new Set(waiting.map((w) => w.group_id))] } })).map((g) => [
      g.id,
      g,
    ]),
  );
  const started: StartedWait[] = [];
  for (const w of waiting) {
    const group = groups.get(w.group_id);
    if (!group) continue;
    const since = new Date(w.since);
    const times = waitTimes(group, w.kind, w.tags ?? [], since);
    const inserted = await em.getConnection().execute<{ id: string }[]>(
      `insert into sla_wait (id, account_id, group_id, conversation_id, kind, started_at, due_at, warn_at, created_at)
       values (gen_random_uuid(), ?, ?, ?, ?, ?, ?, ?, now())
       on conflict (conversation_id, started_at) do nothing returning id`,
      [w.account_id, w.group_id, w.conversation_id, w.kind, since, times.dueAt, times.warnAt],
    );
    const id = inserted[0]?.id;
    if (id) started.push({ id, ...times });
  }
  return started;
}

/**
 * The group's targets or calendar changed: the waits still running get new due and warning
 * times (a breach already told stays told). Called in the transaction that changed the group.
 */
async function retimeSlaWaits(tx: EntityManager, group: Group): Promise<number> {
  const running = await tx.find(
    SlaWait,
    { group, endedAt: null, breachedAt: null },
    { populate: ['conversation.contact'] },
  );
  for (const w of running) {
    const times = waitTimes(group, w.kind, w.conversation.contact.tags ?? [], w.startedAt);
    w.dueAt = times.dueAt;
    w.warnAt = times.warnAt;
  }
  return running.length;
}

/**
 * A group's targets or hours changed (admin API, CLI, workspace file), in that transaction.
 * Targets set for the first time start the clock of customers already waiting now, not when they
 * began to wait: turning SLA on does not flag a backlog as breached at once.
 */
export async function slaSettingsChanged(
  tx: EntityManager,
  group: Group,
  change: { hadSla: boolean; changed: readonly string[]; now: Date },
): Promise<void> {
  if (!change.changed.includes('sla') && !change.changed.includes('autoResponder')) return;
  if (!change.hadSla && group.sla) {
    await tx.flush();
    await tx
      .getConnection()
      .execute(
        `update conversation set human_waiting_since = ? where group_id = ? and status = 'open' and human_waiting_since < ?`,
        [change.now, group.id, change.now],
        'run',
        tx.getTransactionContext(),
      );
  }
  await retimeSlaWaits(tx, group);
}
