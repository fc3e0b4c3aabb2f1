import { describe, expect, it } from 'vitest';
import { createTeamsApi } from '../../adapters/surfaces/teams/teams-api.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics/registry.ts';
import { SurfaceRetryLater } from '../../src/ports/agent-surface.ts';
import { fakeTeams, TEAMS_SERVICE_URL, TEAMS_TEST_TENANT_ID } from '../support/fake-teams.ts';
import { useMsw } from '../support/msw.ts';
import { createTestRedis } from '../support/redis.ts';

const redis = createTestRedis();
const teams = fakeTeams();
useMsw(...teams.handlers);

describe('Teams calls in the metrics (counted in the Bot Connector client and the shared place limits)', () => {
  it('counts calls by operation and status, a 429 included, then the calls held back without calling', async () => {
    const metrics = createMetrics();
    const api = createTeamsApi({
      serviceUrl: TEAMS_SERVICE_URL,
      token: async () => 'bot-framework-token',
      tenantId: TEAMS_TEST_TENANT_ID,
      redis: redis.producer,
      prefix: redis.prefix,
      logger: createLogger('silent'),
      calls: metrics.vendorCalls,
    });
    const post = await api.createChannelPost('19:metrics@thread.tacv2', { type: 'message', text: 'root' });
    teams.failNext('reply', { kind: '429', retryAfter: 30 });
    await expect(api.send(post.threadId, { type: 'message', text: 'one' })).rejects.toThrow(
      SurfaceRetryLater,
    );
    await expect(api.send(post.threadId, { type: 'message', text: 'two' })).rejects.toThrow(
      /asked Parley to wait/,
    );

    const text = await metrics.registry.metrics();
    const calls = 'parley_vendor_calls_total{vendor="teams",method="createActivity"';
    expect(text).toContain(`${calls},status="200"} 1`);
    expect(text).toContain(`${calls},status="429"} 1`);
    expect(text).toContain('parley_vendor_waits_total{vendor="teams",reason="held"} 1');
  });
});
