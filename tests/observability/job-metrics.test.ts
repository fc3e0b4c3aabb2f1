import type { Job } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { observeJob } from '../../src/metrics/jobs.ts';
import { createMetrics } from '../../src/metrics/registry.ts';

describe('job metrics', () => {
  it('a job whose Redis hash was lost (no times) still runs and is counted; only its wait is unknown', async () => {
    const metrics = createMetrics();
    // What BullMQ hands a worker for a job whose hash vanished with a Redis restart.
    const lost = { timestamp: Number.NaN, delay: Number.NaN, processedOn: undefined } as unknown as Job;
    expect(await observeJob(metrics, 'mirror', lost, async () => 'done')).toBe('done');
    const text = await metrics.registry.metrics();
    expect(text).toContain('parley_jobs_total{queue="mirror",outcome="completed"} 1');
    expect(text).not.toContain('parley_job_wait_seconds_count{queue="mirror"}');
  });
});
