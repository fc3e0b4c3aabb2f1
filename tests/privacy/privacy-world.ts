import type { Job, Queue } from 'bullmq';
import { homeView } from '../../adapters/surfaces/slack/home-view.ts';
import { inactiveText, notLinkedHome } from '../../adapters/surfaces/slack/not-linked-home.ts';
import { createSlackSurface } from '../../adapters/surfaces/slack/slack.surface.ts';
import { createSlackApi } from '../../adapters/surfaces/slack/slack-api.ts';
import { createTeamsSurface } from '../../adapters/surfaces/teams/teams.surface.ts';
import { createTeamsApi } from '../../adapters/surfaces/teams/teams-api.ts';
import { User } from '../../src/db/entities/index.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { createDispatcher } from '../../src/jobs/dispatch.ts';
import type { Queues } from '../../src/jobs/queues.ts';
import { type JobKind, jobDefinitions } from '../../src/jobs/registry.ts';
import type { Processor } from '../../src/jobs/worker.ts';
import { createLogger } from '../../src/logger.ts';
import type { AgentSurface } from '../../src/ports/agent-surface.ts';
import { defaultHomeFilters, loadHomeData } from '../../src/queries/home-data.ts';
import { homeProcessor } from '../../workers/home.worker.ts';
import { mirrorProcessor } from '../../workers/mirror.worker.ts';
import { unlinkNoticeProcessor } from '../../workers/unlink-notice.worker.ts';
import { userHomeProcessor } from '../../workers/user-home.worker.ts';
import { BOT_TOKEN, fakeSlack, SLACK_API_URL } from '../support/fake-slack.ts';
import { fakeTeams, TEAMS_SERVICE_URL, TEAMS_TEST_TENANT_ID } from '../support/fake-teams.ts';
import { useMsw } from '../support/msw.ts';
import { createTestRedis } from '../support/redis.ts';
import { localTestStorage } from '../support/storage.ts';
import type { TestDb } from '../support/test-db.ts';

interface RecordedJob {
  kind: JobKind;
  data: unknown;
}

/**
 * Parley's job layer without Redis, for a test that runs many short sequences: the real
 * dispatcher decides which jobs the events of each step wake (its queues only record them), and
 * `settle()` runs them through the real processors (mirror, dashboards, notices) against the real
 * Slack surface and the fake Slack workspace. Nothing else runs: the reconciler would repair what a
 * missing wake-up forgot, and the property test must see that forgetting.
 */
export function privacyWorld(db: TestDb) {
  const slack = fakeSlack();
  const teams = fakeTeams();
  useMsw(...slack.handlers, ...teams.handlers);
  const redis = createTestRedis();
  const logger = createLogger('silent');
  // Pacing is Slack's business, not this test's: a generous pace keeps every step's posts in it.
  const api = createSlackApi({
    token: BOT_TOKEN,
    apiUrl: SLACK_API_URL,
    redis: redis.producer,
    prefix: redis.prefix,
    pace: { burst: 100_000, intervalMs: 1 },
  });
  const surface: AgentSurface = createSlackSurface({
    api,
    storage: localTestStorage(),
    logger,
    redis: redis.producer,
    prefix: redis.prefix,
    loadUserSlackId: async (id) => (await db.em().findOne(User, id))?.slackUserId ?? null,
    // As adapters/surfaces/slack/index.ts, with every user counted as someone who opened App Home.
    renderHome: async (id, opts) => {
      const data = await loadHomeData(db.em(), id, defaultHomeFilters);
      if (!data) return opts?.force ? notLinkedHome(inactiveText) : null;
      return homeView(data, { teamUrl: null });
    },
    renderDigest: async () => null,
  });
  // Teams beside Slack (issue 10): the same conversations drawn into Teams channel posts and
  // personal chats. Each call is a second after the last, so Teams' pacing never holds a step.
  let teamsClock = Date.now();
  const teamsApi = createTeamsApi({
    serviceUrl: TEAMS_SERVICE_URL,
    token: async () => 'bot-framework-token',
    tenantId: TEAMS_TEST_TENANT_ID,
    redis: redis.producer,
    prefix: redis.prefix,
    logger,
    now: () => (teamsClock += 1_000),
  });
  const teamsSurface = createTeamsSurface({
    api: teamsApi,
    em: db.em,
    redis: redis.producer,
    prefix: redis.prefix,
    logger,
    mediaLink: () => null,
    now: () => teamsClock,
  });
  const surfaces = new Map([
    ['slack', surface],
    ['teams', teamsSurface],
  ]);

  const jobs: RecordedJob[] = [];
  const recorder = {
    add: async (name: string, data: unknown) => {
      jobs.push({ kind: name as JobKind, data });
    },
    addBulk: async (bulk: { name: string; data: unknown }[]) => {
      for (const { name, data } of bulk) jobs.push({ kind: name as JobKind, data });
    },
    close: async () => {},
  } as unknown as Queue;
  const queueNames = new Set(Object.values(jobDefinitions).map((d) => d.queue));
  const queues: Queues = {
    byName: new Map([...queueNames].map((q) => [q, recorder])),
    prefix: 'recorded',
    close: async () => {},
  };
  // Each step is far from the last: dashboards are woken per 2-second bucket.
  let clock = Date.now();
  const dispatcher = createDispatcher(queues, { surfaces: true, now: () => (clock += 10_000) });
  const processors: Partial<Record<JobKind, Processor<JobKind>>> = {
    mirror: mirrorProcessor({ surfaces, queues }) as Processor<JobKind>,
    home: homeProcessor({ surfaces }) as Processor<JobKind>,
    userHome: userHomeProcessor({ surfaces }) as Processor<JobKind>,
    unlinkNotice: unlinkNoticeProcessor({ surfaces }) as Processor<JobKind>,
  };

  return {
    slack,
    teams,
    surface,
    dispatch: (events: DomainEvent[]) => dispatcher(events),
    /**
     * Runs the woken jobs, and the ones they wake, a few rounds deep (a mirror run that must wait
     * for Slack's pacing of header counts asks again; its content was already drawn).
     */
    async settle(): Promise<void> {
      for (let round = 0; round < 3 && jobs.length > 0; round++) {
        for (const job of jobs.splice(0)) {
          const processor = processors[job.kind];
          if (!processor) continue; // deliveries and media: no customer channel in this test
          const payload = jobDefinitions[job.kind].payload.parse(job.data);
          await processor(payload as never, { em: db.em(), job: {} as Job });
        }
      }
      jobs.length = 0;
    },
  };
}

export type PrivacyWorld = ReturnType<typeof privacyWorld>;
