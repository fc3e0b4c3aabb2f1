import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '../domain/events.ts';
import type { Logger } from '../logger.ts';
import { recordReconcileReport } from '../metrics/reconcile.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { SurfaceRegistry } from '../ports/agent-surface.ts';
import type { ChannelRegistry } from '../ports/customer-channel.ts';
import { syncCleanupSchedule, syncTeamsCleanupSchedule } from './cleanup-schedule.ts';
import { syncDigestSchedules } from './digest-schedules.ts';
import type { Queues } from './queues.ts';
import { makeStepRunner, type ReconcileReport, reconcile } from './reconciler.ts';

export interface ReconcileTickDeps {
  em: EntityManager;
  queues: Queues;
  channels: ChannelRegistry;
  surfaces: SurfaceRegistry;
  /** The surfaces' periodic work (missed Slack replies). */
  sweeps: readonly (() => Promise<void>)[];
  dispatch: (events: DomainEvent[]) => Promise<void>;
  logger: Logger;
  aiBurstWindowMs: number;
  /** WEBCHAT_CLEANUP_INTERVAL_MINUTES, in milliseconds. */
  webchatCleanupEveryMs: number;
  /** Counts the repairs by kind (parley_reconcile_repairs_total); none: not counted. */
  metrics?: Metrics;
}

const REPAIR_COUNTS = [
  'deliveries',
  'interrupted',
  'mirrors',
  'media',
  'ai',
  'autoResponses',
  'sla',
  'payments',
  'internalPosts',
  'broadcasts',
] as const;

/**
 * One run of the reconcile loop (`parley worker`): wake due work, keep the job schedulers (digests,
 * cleanups) matching PostgreSQL, and run the surfaces' sweeps. Every step, every group's digest
 * schedule and every sweep is on its own: one that fails (a bad row, a vendor down) is logged with
 * what to fix and listed in the report's `failed`, and the others still run. The failed ones run
 * again next tick.
 */
export async function reconcileTick(deps: ReconcileTickDeps): Promise<ReconcileReport> {
  const { logger, queues } = deps;
  const report = await reconcile({
    em: deps.em,
    queues,
    channels: deps.channels,
    surfaces: deps.surfaces.size > 0,
    dispatch: deps.dispatch,
    aiBurstWindowMs: deps.aiBurstWindowMs,
    logger,
  });
  const failed = report.failed;
  const step = makeStepRunner(logger, failed);

  if (deps.surfaces.size > 0) {
    const digests = await step('digestSchedules', null, () =>
      syncDigestSchedules(deps.em.fork() as EntityManager, queues),
    );
    for (const f of digests?.failed ?? []) {
      failed.push(`digestSchedule:${f.groupName}`);
      // A bad stored cron is the admin's to fix; the message names the group and how.
      logger.warn(
        { step: 'digestSchedule', groupId: f.groupId, group: f.groupName, badCron: f.badCron },
        `digest of group "${f.groupName}" not scheduled: ${f.reason}`,
      );
    }
  }
  await step('webchatCleanupSchedule', null, () => syncCleanupSchedule(queues, deps.webchatCleanupEveryMs));
  if (deps.surfaces.has('teams'))
    await step('teamsCleanupSchedule', null, () => syncTeamsCleanupSchedule(queues));
  for (const [i, sweep] of deps.sweeps.entries()) {
    await step(deps.sweeps.length > 1 ? `surfaceSweep${i + 1}` : 'surfaceSweep', undefined, sweep);
  }

  const repaired = REPAIR_COUNTS.reduce((sum, k) => sum + (report[k] ?? 0), 0);
  if (failed.length > 0)
    logger.warn(report, `reconciler: ${failed.length} step(s) failed (${failed.join(', ')}); the others ran`);
  else if (repaired > 0) logger.info(report, 'reconciled due work');
  recordReconcileReport(deps.metrics, report);
  return report;
}
