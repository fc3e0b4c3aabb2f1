import { describe, expect, it } from 'vitest';
import { claimActivity } from '../../../adapters/surfaces/teams/activity-claims.ts';
import { teamsCloud } from '../../../adapters/surfaces/teams/cloud.ts';
import { HonoHttpAdapter } from '../../../adapters/surfaces/teams/hono-adapter.ts';
import type { TeamsInbound } from '../../../adapters/surfaces/teams/ports.ts';
import { createTeamsHost, duplicateAnswer } from '../../../adapters/surfaces/teams/teams-app.ts';
import { createTeamsTokenSource } from '../../../adapters/surfaces/teams/token.ts';
import { type ConfigError, loadConfig } from '../../../src/config.ts';
import { TeamsActivity } from '../../../src/db/entities/index.ts';
import { syncTeamsCleanupSchedule, TEAMS_CLEANUP_EVERY_MS } from '../../../src/jobs/cleanup-schedule.ts';
import { createLogger } from '../../../src/logger.ts';
import { teamsCleanupProcessor } from '../../../workers/teams-cleanup.worker.ts';
import { fakeTeamsAuth, TEAMS_APP_ID, TEAMS_ENV, TEAMS_TENANT_ID } from '../../support/fake-teams-auth.ts';
import { useMsw } from '../../support/msw.ts';
import { createTestRedis } from '../../support/redis.ts';
import { createTestDb } from '../../support/test-db.ts';

/**
 * Issue 10, "SDK and hosting": the SDK app is initialised inside Parley (never started), takes
 * its tokens from Parley's token source rather than MSAL, and the activity claims that keep each
 * activity to one run are pruned after a day by an hourly job.
 */
const db = await createTestDb();
const redis = createTestRedis();
const auth = fakeTeamsAuth();
useMsw(...auth.handlers);
const config = loadConfig(TEAMS_ENV);
const cloud = teamsCloud(config);
const logger = createLogger('silent');
const idle: TeamsInbound = {
  message: async () => {},
  messageChanged: async () => {},
  invoke: async () => ({ status: 200 }),
};

function host() {
  return createTeamsHost({
    appId: TEAMS_APP_ID,
    tenantId: TEAMS_TENANT_ID,
    cloud,
    tokens: createTeamsTokenSource({
      appId: TEAMS_APP_ID,
      password: TEAMS_ENV.TEAMS_APP_PASSWORD,
      tenantId: TEAMS_TENANT_ID,
      environment: cloud.environment,
      logger,
    }),
    inbound: idle,
    em: db.em,
    logger,
  });
}

describe('the Teams SDK app inside Parley', () => {
  it('gets its tokens from Parley’s token source, even with CLIENT_SECRET in the environment (no MSAL)', async () => {
    process.env.CLIENT_SECRET = 'a-secret-the-sdk-must-not-use';
    const h = (() => {
      try {
        return host();
      } finally {
        delete process.env.CLIENT_SECRET;
      }
    })();
    expect(h.app.credentials).toMatchObject({ clientId: TEAMS_APP_ID, tenantId: TEAMS_TENANT_ID });
    expect(h.app.credentials && 'clientSecret' in h.app.credentials).toBe(false);
    const before = auth.tokenRequests.length;
    const token = await h.app.tokenProvider.getAppToken();
    expect(auth.isIssued(token?.toString())).toBe(true);
    expect(token?.tenantId).toBe(TEAMS_TENANT_ID);
    expect((await h.app.tokenProvider.getAppToken())?.toString()).toBe(token?.toString());
    expect(auth.tokenRequests.length - before).toBe(1);
    expect(auth.tokenRequests.at(-1)?.form.scope).toBe(TEAMS_ENV.TEAMS_BOT_SCOPE);
  });

  it('registers its messaging handler on our adapter when initialised, and only then', async () => {
    const adapter = new HonoHttpAdapter();
    expect(() => adapter.handler('/teams/messages')).toThrow(/app\.initialize\(\)/);
    const h = host();
    const res = await h.handle({ body: { type: 'message' }, headers: {} });
    expect(res.status).toBe(401);
  });

  it('answers a repeated invoke with the shape its kind expects', () => {
    expect(duplicateAnswer({ type: 'invoke', name: 'task/fetch' })).toEqual({
      status: 200,
      body: { task: { type: 'message', value: expect.any(String) } },
    });
    expect(duplicateAnswer({ type: 'invoke', name: 'task/submit' })).toEqual({ status: 200 });
    expect(duplicateAnswer({ type: 'message' })).toBeUndefined();
  });
});

describe('pruning the activity claims (teamsCleanup)', () => {
  it('removes claims older than a day and keeps the rest', async () => {
    const key = (id: string) => ({ activityId: id, conversationId: '19:c@thread.tacv2', type: 'message' });
    expect(await claimActivity(db.em(), key('old'))).toBe(true);
    expect(await claimActivity(db.em(), key('recent'))).toBe(true);
    expect(await claimActivity(db.em(), key('recent'))).toBe(false);
    const day = 24 * 3_600_000;
    await db
      .em()
      .nativeUpdate(TeamsActivity, { activityId: 'old' }, { createdAt: new Date(Date.now() - day - 60_000) });
    await db
      .em()
      .nativeUpdate(
        TeamsActivity,
        { activityId: 'recent' },
        { createdAt: new Date(Date.now() - day + 60_000) },
      );
    const result = await teamsCleanupProcessor()({}, { em: db.em(), job: {} as never });
    expect(result).toEqual({ pruned: 1 });
    expect((await db.em().find(TeamsActivity, {})).map((c) => c.activityId)).toEqual(['recent']);
    // A pruned id can be claimed again (Teams never resends one that old).
    expect(await claimActivity(db.em(), key('old'))).toBe(true);
  });

  it('is scheduled hourly, once for the deployment', async () => {
    expect(await syncTeamsCleanupSchedule(redis.queues)).toEqual({ changed: true });
    expect(await syncTeamsCleanupSchedule(redis.queues)).toEqual({ changed: false });
    const scheduler = await redis.queues.byName.get('teams-cleanup')!.getJobScheduler('teams-cleanup');
    expect(scheduler).toMatchObject({ name: 'teamsCleanup', every: TEAMS_CLEANUP_EVERY_MS });
  });
});

describe('Teams configuration', () => {
  const { TEAMS_APP_ID: _id, TEAMS_APP_PASSWORD: _pw, TEAMS_TENANT_ID: _tenant, ...overrides } = TEAMS_ENV;
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return [];
    } catch (err) {
      return (err as ConfigError).issues;
    }
  };

  it('is off without its ids, and needs all three together', () => {
    expect(loadConfig({}).TEAMS_APP_ID).toBeUndefined();
    expect(problems({ TEAMS_APP_ID: TEAMS_APP_ID })).toEqual([
      expect.stringMatching(/^TEAMS_APP_PASSWORD: required/),
      expect.stringMatching(/^TEAMS_TENANT_ID: required/),
    ]);
    expect(problems({ TEAMS_APP_PASSWORD: 'x', TEAMS_TENANT_ID: TEAMS_TENANT_ID })).toEqual([
      expect.stringMatching(/^TEAMS_APP_ID: required/),
    ]);
  });

  it('takes the cloud’s endpoints, each overridable, and refuses China without a Bot Connector URL', () => {
    const usgov = teamsCloud(
      loadConfig({
        ...TEAMS_ENV,
        ...Object.fromEntries(Object.keys(overrides).map((k) => [k, ''])),
        TEAMS_CLOUD: 'USGov',
      }),
    );
    expect(usgov.environment.tokenIssuer).toBe('https://api.botframework.us');
    expect(usgov.serviceUrl).toBe('https://smba.infra.gov.teams.microsoft.us/teams');
    expect(cloud.environment).toMatchObject({
      loginEndpoint: TEAMS_ENV.TEAMS_LOGIN_ENDPOINT,
      openIdMetadataUrl: TEAMS_ENV.TEAMS_OPENID_METADATA_URL,
      tokenIssuer: TEAMS_ENV.TEAMS_TOKEN_ISSUER,
      botScope: TEAMS_ENV.TEAMS_BOT_SCOPE,
    });
    expect(cloud.serviceUrl).toBe(TEAMS_ENV.TEAMS_SERVICE_URL);
    expect(problems({ ...TEAMS_ENV, TEAMS_CLOUD: 'China', TEAMS_SERVICE_URL: '' })).toEqual([
      expect.stringMatching(/^TEAMS_SERVICE_URL: required with TEAMS_CLOUD=China/),
    ]);
    expect(problems({ ...TEAMS_ENV, TEAMS_OPENID_METADATA_URL: 'https://login.teams.test/keys' })).toEqual([
      expect.stringMatching(/^TEAMS_OPENID_METADATA_URL: must end in \/openidconfiguration/),
    ]);
    expect(problems({ ...TEAMS_ENV, TEAMS_CLOUD: 'Mars' })).toEqual([
      expect.stringMatching(/^TEAMS_CLOUD: must be/),
    ]);
  });
});
