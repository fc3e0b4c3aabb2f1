import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { createSlackApi } from '../../adapters/surfaces/slack/slack-api.ts';
import { createMetrics } from '../../src/metrics/registry.ts';
import { SurfaceRetryLater } from '../../src/ports/agent-surface.ts';
import { useMsw } from '../support/msw.ts';
import { createTestRedis } from '../support/redis.ts';

const API = 'https://slack.test/api/';
const redis = createTestRedis();

// chat.postMessage: channel C_LIMITED is rate limited for 30 s, every other channel is posted to.
useMsw(
  http.post(`${API}chat.postMessage`, async ({ request }) => {
    const body = await request.text();
    if (body.includes('C_LIMITED'))
      return HttpResponse.json(
        { ok: false, error: 'ratelimited' },
        { status: 429, headers: { 'retry-after': '30' } },
      );
    return HttpResponse.json({ ok: true, channel: 'C_OPEN', ts: '1.000001' });
  }),
);

const sample = async (metrics: ReturnType<typeof createMetrics>, name: string, labels: string) => {
  const line = (await metrics.registry.metrics()).split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
};

describe('vendor calls in the metrics (counted in the shared client and place limits)', () => {
  it('counts a 429 by method and status, then the calls held back without calling', async () => {
    const metrics = createMetrics();
    const api = createSlackApi({
      token: 'xoxb-test',
      apiUrl: API,
      redis: redis.producer,
      prefix: redis.prefix,
      calls: metrics.vendorCalls,
    });
    await expect(
      api.call('chat.postMessage', { channel: 'C_LIMITED', text: 'a' }, { channel: 'C_LIMITED' }),
    ).rejects.toThrow(SurfaceRetryLater);
    // Held: refused here, Slack is not called again.
    await expect(
      api.call('chat.postMessage', { channel: 'C_LIMITED', text: 'b' }, { channel: 'C_LIMITED' }),
    ).rejects.toThrow(/asked Parley to wait/);
    const calls = 'vendor="slack",method="chat.postMessage"';
    expect(await sample(metrics, 'parley_vendor_calls_total', `${calls},status="429"`)).toBe(1);
    expect(await sample(metrics, 'parley_vendor_waits_total', 'vendor="slack",reason="held"')).toBe(1);
  });

  it('counts calls that worked, and those a full rate window paced', async () => {
    const metrics = createMetrics();
    const api = createSlackApi({
      token: 'xoxb-test',
      apiUrl: API,
      redis: redis.producer,
      prefix: `${redis.prefix}:paced`,
      pace: { burst: 1, intervalMs: 60_000 },
      calls: metrics.vendorCalls,
    });
    await api.call('chat.postMessage', { channel: 'C_OPEN', text: 'a' }, { channel: 'C_OPEN' });
    await expect(
      api.call('chat.postMessage', { channel: 'C_OPEN', text: 'b' }, { channel: 'C_OPEN' }),
    ).rejects.toThrow(/paced/);
    expect(
      await sample(
        metrics,
        'parley_vendor_calls_total',
        'vendor="slack",method="chat.postMessage",status="200"',
      ),
    ).toBe(1);
    expect(await sample(metrics, 'parley_vendor_waits_total', 'vendor="slack",reason="paced"')).toBe(1);
  });
});
