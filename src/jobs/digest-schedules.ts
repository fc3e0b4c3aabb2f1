import type { EntityManager } from '@mikro-orm/postgresql';
import { Group } from '../db/entities/index.ts';
import type { Queues } from './queues.ts';

const schedulerId = (groupId: string) => `digest_${groupId}`;

/**
 * R27: one BullMQ job scheduler per group with a digest schedule (`digestCron`, UTC). The groups
 * in PostgreSQL are the truth: run from the reconciler loop, this adds, changes and removes
 * schedulers to match, so a changed schedule or a Redis that lost its schedulers is repaired.
 */
export async function syncDigestSchedules(em: EntityManager, queues: Queues): Promise<{ changed: number }> {
  const queue = queues.byName.get('digest');
  if (!queue) return { changed: 0 };
  const groups = await em.find(Group, { digestCron: { $ne: null } }, { fields: ['id', 'digestCron'] });
  const wanted = new Map(groups.map((g) => [schedulerId(g.id), { groupId: g.id, pattern: g.digestCron! }]));
  const existing = await queue.getJobSchedulers(0, -1);
  let changed = 0;
  for (const s of existing) {
    const want = wanted.get(s.key);
    if (!want) {
      await queue.removeJobScheduler(s.key);
      changed++;
    } else if (want.pattern === s.pattern && s.tz === 'UTC') {
      wanted.delete(s.key);
    }
  }
  for (const [id, want] of wanted) {
    await queue.upsertJobScheduler(
      id,
      { pattern: want.pattern, tz: 'UTC' },
      { name: 'digest', data: { groupId: want.groupId } },
    );
    changed++;
  }
  return { changed };
}
