import type { EntityManager } from '@mikro-orm/postgresql';
import { Group } from '../db/entities/index.ts';
import { CRON_TIME_ZONE, cronProblem } from '../domain/cron.ts';
import type { Queues } from './queues.ts';

const schedulerId = (groupId: string) => `digest_${groupId}`;

/** A group whose digest could not be scheduled this time, and why (said for the admin who fixes it). */
export interface DigestScheduleFailure {
  groupId: string;
  groupName: string;
  /** The stored cron is one BullMQ cannot run: only the admin can fix it. */
  badCron: boolean;
  reason: string;
}

export interface DigestScheduleSync {
  changed: number;
  failed: DigestScheduleFailure[];
}

/**
 * R27: one BullMQ job scheduler per group with a digest schedule (`digestCron`, UTC). The groups
 * in PostgreSQL are the truth: run from the reconciler loop, this adds, changes and removes
 * schedulers to match, so a changed schedule or a Redis that lost its schedulers is repaired.
 * Each group is on its own: a cron stored before crons were checked, or a Redis error on one
 * group, leaves that group's scheduler as it was and is reported, and the others are synced.
 */
export async function syncDigestSchedules(em: EntityManager, queues: Queues): Promise<DigestScheduleSync> {
  const queue = queues.byName.get('digest');
  if (!queue) return { changed: 0, failed: [] };
  const groups = await em.find(
    Group,
    { digestCron: { $ne: null } },
    { fields: ['id', 'name', 'digestCron'] },
  );
  const failed: DigestScheduleFailure[] = [];
  const wanted = new Map<string, { group: Pick<Group, 'id' | 'name'>; pattern: string }>();
  const untouched = new Set<string>();
  for (const group of groups) {
    const pattern = group.digestCron!;
    const problem = cronProblem(pattern, CRON_TIME_ZONE);
    if (problem) {
      untouched.add(schedulerId(group.id));
      failed.push({
        groupId: group.id,
        groupName: group.name,
        badCron: true,
        reason: `digestCron ${problem}; set a valid digestCron on the group (admin API PATCH /groups/${group.id} or the workspace file), or null for no digest`,
      });
    } else {
      wanted.set(schedulerId(group.id), { group, pattern });
    }
  }
  const existing = await queue.getJobSchedulers(0, -1);
  let changed = 0;
  for (const s of existing) {
    const want = wanted.get(s.key);
    if (want && want.pattern === s.pattern && s.tz === CRON_TIME_ZONE) wanted.delete(s.key);
    else if (!want && !untouched.has(s.key)) {
      await queue.removeJobScheduler(s.key);
      changed++;
    }
  }
  for (const [id, want] of wanted) {
    try {
      await queue.upsertJobScheduler(
        id,
        { pattern: want.pattern, tz: CRON_TIME_ZONE },
        { name: 'digest', data: { groupId: want.group.id } },
      );
      changed++;
    } catch (err) {
      failed.push({
        groupId: want.group.id,
        groupName: want.group.name,
        badCron: false,
        reason: `${(err as Error).message}; trying again next time`,
      });
    }
  }
  return { changed, failed };
}
