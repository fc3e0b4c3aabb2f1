import type { ReconcileReport } from '../jobs/reconciler.ts';
import type { Metrics } from './registry.ts';

/** Counts what one reconciler pass found and woke up again, by the report's kinds. */
export function recordReconcileReport(metrics: Metrics | undefined, report: ReconcileReport): void {
  if (!metrics) return;
  for (const [kind, count] of Object.entries(report))
    if (typeof count === 'number' && count > 0) metrics.reconcileRepairs.inc({ kind }, count);
}
