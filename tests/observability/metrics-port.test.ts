import { get } from 'node:http';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startMetricsServer } from '../../src/http/metrics.routes.ts';
import { createLogger } from '../../src/logger.ts';
import { recordReconcileReport } from '../../src/metrics/reconcile.ts';
import { createMetrics } from '../../src/metrics/registry.ts';
import { StartupError } from '../../src/process/startup-errors.ts';

const METRICS_TOKEN = 'metrics-token-for-the-tests';
const logger = createLogger('silent');

describe('METRICS_PORT: /metrics on a port of its own (any process role, a worker-only one too)', () => {
  it('serves the process’s metrics there, without a token unless METRICS_TOKEN is set, and nothing else', async () => {
    const metrics = createMetrics();
    metrics.webhook('sms', 'stored');
    const port = await freePort();
    const stop = await startMetricsServer({ config: loadConfig({}), logger, metrics }, port);
    try {
      const res = await httpGet(port, '/metrics');
      expect(res.status).toBe(200);
      expect(res.body).toMatch(/^parley_webhooks_total\{channel="sms",outcome="stored"\} 1$/m);
      expect((await httpGet(port, '/')).status).toBe(404);
    } finally {
      await stop();
    }

    const guarded = await startMetricsServer(
      { config: loadConfig({ METRICS_TOKEN }), logger, metrics },
      port,
    );
    try {
      expect((await httpGet(port, '/metrics')).status).toBe(401);
      expect(
        (await httpGet(port, '/metrics', { authorization: 'Bearer wrong-token-for-metrics' })).status,
      ).toBe(401);
      const res = await httpGet(port, '/metrics', { authorization: `Bearer ${METRICS_TOKEN}` });
      expect(res.status).toBe(200);
    } finally {
      await guarded();
    }
  });

  it('a busy METRICS_PORT stops the start with one line naming it', async () => {
    const port = await freePort();
    const first = await startMetricsServer(
      { config: loadConfig({}), logger, metrics: createMetrics() },
      port,
    );
    try {
      const second = startMetricsServer({ config: loadConfig({}), logger, metrics: createMetrics() }, port);
      await expect(second).rejects.toThrow(StartupError);
      await expect(second).rejects.toThrow(/^METRICS_PORT: port \d+ is already in use/);
    } finally {
      await first();
    }
  });

  it('each process’s metrics are its own: two sets of services never share a figure', () => {
    const a = createMetrics();
    const b = createMetrics();
    a.webhook('whatsapp', 'refused');
    a.httpRequest('GET', '/healthz', 200, 0.01);
    expect(a.registry).not.toBe(b.registry);
    return b.registry.metrics().then((text) => {
      expect(text).not.toContain('outcome="refused"');
      expect(text).not.toContain('route="/healthz"');
    });
  });

  it('counts the reconciler’s repairs by kind from the report a pass returns', async () => {
    const metrics = createMetrics();
    const report = {
      deliveries: 2,
      interrupted: 0,
      mirrors: 1,
      media: 0,
      ai: 0,
      autoResponses: 0,
      failed: ['x'],
    };
    recordReconcileReport(metrics, report);
    recordReconcileReport(metrics, { ...report, deliveries: 1, mirrors: 0 });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^parley_reconcile_repairs_total\{kind="deliveries"\} 3$/m);
    expect(text).toMatch(/^parley_reconcile_repairs_total\{kind="mirrors"\} 1$/m);
    expect(text).not.toContain('kind="interrupted"');
    expect(text).not.toContain('kind="failed"');
  });
});

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

function httpGet(port: number, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}
