import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { childCache2, childCache3 } from './child-cache.ts';
import type { VendorCalls } from './vendor-calls.ts';

/** Seconds from 5 ms to 10 s: HTTP requests and jobs. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds from 10 ms to 10 min: how long a job waited in its queue. */
const WAIT_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 600];

/**
 * One process's metrics (README "Monitoring"): one Registry, created with the services, so apps
 * built side by side (tests) never share figures. Every label has a small fixed set of values.
 */
export interface Metrics {
  readonly registry: Registry;
  /** An HTTP request answered: route pattern (never the raw path), status, seconds. */
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  /** A provider webhook handled: stored, duplicate (nothing new), refused (signature, format) or error. */
  webhook(channel: string, outcome: 'stored' | 'duplicate' | 'refused' | 'error'): void;
  /** Messages (or status callbacks) written together by one group commit. */
  webhookBatch: Histogram<'channel' | 'kind'>;
  jobs: Counter<'queue' | 'outcome'>;
  jobWait: Histogram<'queue'>;
  jobRun: Histogram<'queue' | 'outcome'>;
  deliveries: Counter<'channel' | 'state'>;
  vendorCalls: VendorCalls;
  reconcileRepairs: Counter<'kind'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  const http = new Histogram({
    name: 'parley_http_request_duration_seconds',
    help: 'HTTP requests answered, by method, route pattern and status, with their duration.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const httpChild = childCache3((method: string, route: string, status: number) =>
    http.labels(method, route, String(status)),
  );
  const calls = new Counter({
    name: 'parley_vendor_calls_total',
    help: 'Calls to Slack, Teams, WhatsApp and Twilio, by vendor, method and HTTP status (network: no answer).',
    labelNames: ['vendor', 'method', 'status'] as const,
    registers,
  });
  const waits = new Counter({
    name: 'parley_vendor_waits_total',
    help: 'Vendor calls not made because the vendor asked to wait (held) or a rate window was full (paced).',
    labelNames: ['vendor', 'reason'] as const,
    registers,
  });
  const webhooks = new Counter({
    name: 'parley_webhooks_total',
    help: 'Provider webhooks, by channel and outcome (stored, duplicate, refused, error).',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  });
  const webhookChild = childCache2((channel, outcome) => webhooks.labels(channel, outcome));
  return {
    registry,
    httpRequest: (method, route, status, seconds) => httpChild(method, route, status).observe(seconds),
    webhook: (channel, outcome) => webhookChild(channel, outcome).inc(),
    webhookBatch: new Histogram({
      name: 'parley_webhook_batch_size',
      help: 'Webhook messages (kind=message) or status callbacks (kind=status) written by one statement, by channel.',
      labelNames: ['channel', 'kind'] as const,
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers,
    }),
    jobs: new Counter({
      name: 'parley_jobs_total',
      help: 'Jobs run, by queue and outcome (completed, failed).',
      labelNames: ['queue', 'outcome'] as const,
      registers,
    }),
    jobWait: new Histogram({
      name: 'parley_job_wait_seconds',
      help: 'How long a job waited in its queue after it was due, by queue.',
      labelNames: ['queue'] as const,
      buckets: WAIT_BUCKETS,
      registers,
    }),
    jobRun: new Histogram({
      name: 'parley_job_run_seconds',
      help: 'How long a job ran, by queue and outcome.',
      labelNames: ['queue', 'outcome'] as const,
      buckets: DURATION_BUCKETS,
      registers,
    }),
    deliveries: new Counter({
      name: 'parley_deliveries_total',
      help: 'Outbound messages whose delivery attempt ended, by channel and state (sent, failed, unknown).',
      labelNames: ['channel', 'state'] as const,
      registers,
    }),
    vendorCalls: {
      called: (vendor, method, status) => calls.inc({ vendor, method, status: String(status) }),
      waited: (vendor, reason) => waits.inc({ vendor, reason }),
    },
    reconcileRepairs: new Counter({
      name: 'parley_reconcile_repairs_total',
      help: 'Work the reconciler found and woke up again, by kind (deliveries, mirrors, media…).',
      labelNames: ['kind'] as const,
      registers,
    }),
  };
}
