import type { EntityManager } from '@mikro-orm/postgresql';
import { Account, ChannelEndpoint, Group } from '../src/db/entities/index.ts';
import { createOrm } from '../src/db/orm.ts';
import type { BenchContext } from './bench-context.ts';
import { startFakeTeams } from './fake-teams-server.ts';
import { type Percentiles, percentiles } from './load.ts';
import { freshDatabase, startParley, whatsappText } from './parley-processes.ts';
import { type E2ePhase, e2ePhase, type HotPhase, hotPhase } from './teams-phases.ts';
import { requestsBetween } from './teams-posts.ts';

/**
 * Issue 10: webhook received → message posted in its Teams channel post, at 50 messages/s over
 * 50 channels (then at 40/s: 50 requests a second is Teams' whole budget for an app in a tenant,
 * so 50 messages a second is exactly at it); and one hot post taking 10× what Teams lets a bot
 * post into one thread (20 messages a second against 60 per 30 s): items must be combined so the
 * lag stays bounded, and nothing may be lost, doubled or reordered. Teams-only groups (no Slack
 * channel), a fake Bot Connector keeping Teams' limits (bench/fake-teams-server.ts).
 * `BENCH_TEAMS_RATES=50,40` sets the e2e rates.
 */
const E2E_RATES = (process.env.BENCH_TEAMS_RATES ?? '50,40').split(',').map(Number);
const HOT_RATE = 20;
const DURATION_MS = 20_000;
const HOT_DURATION_MS = 60_000;
const DRAIN_MS = 20_000;
const TEAMS_IDS = {
  TEAMS_APP_ID: 'bench-app',
  TEAMS_APP_PASSWORD: 'bench-secret',
  TEAMS_TENANT_ID: 'bench-tenant',
};

export interface TeamsBenchResult {
  /** One run per rate. */
  e2e: E2ePhase[];
  hot: HotPhase;
  /** 429s from the fake over the whole run (warm-up included), and by the limit each was for. */
  teams429: number;
  teams429ByLimit: Record<string, number>;
  ceilingMs: Percentiles;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seedTeamsGroups(databaseUrl: string, count: number) {
  const orm = await createOrm({ databaseUrl, poolMax: 2 });
  const em = orm.em.fork() as EntityManager;
  const account = em.create(Account, { name: 'Bench Teams' });
  const out: { channel: string; phoneNumberId: string }[] = [];
  for (let i = 0; i < count; i++) {
    const channel = `19:bench${i}@thread.tacv2`;
    const group = em.create(Group, {
      account,
      name: `T${i}`,
      teamsTeamId: `team-${i}`,
      teamsChannelId: channel,
    });
    em.create(ChannelEndpoint, {
      account,
      group,
      channel: 'whatsapp',
      address: `PNID_T${i}`,
      name: `T${i} WA`,
    });
    out.push({ channel, phoneNumberId: `PNID_T${i}` });
  }
  await em.flush();
  await orm.close(true);
  return out;
}

export async function benchTeams(ctx: BenchContext): Promise<TeamsBenchResult> {
  const teams = await startFakeTeams();
  const databaseUrl = await freshDatabase('parley_bench_teams');
  const groups = await seedTeamsGroups(databaseUrl, 50);
  const parley = await startParley({
    ...ctx.parleyOptions(),
    databaseUrl,
    env: {
      ...TEAMS_IDS,
      TEAMS_SERVICE_URL: teams.serviceUrl,
      TEAMS_LOGIN_ENDPOINT: teams.loginEndpoint,
      TEAMS_OPENID_METADATA_URL: `${teams.loginEndpoint}/botframework/openidconfiguration`,
      // Teams only: no Slack in this run.
      SLACK_BOT_TOKEN: '',
      SLACK_SIGNING_SECRET: '',
    },
  });
  try {
    const customer = (g: number) => `1888${String(g).padStart(7, '0')}`;
    for (let g = 0; g < groups.length; g++) {
      const w = whatsappText(groups[g]!.phoneNumberId, customer(g), `warm ${g}`);
      await fetch(`${parley.url}/webhooks/whatsapp`, { method: 'POST', ...w });
    }
    await wait(5_000);
    const phase = { teams, databaseUrl, parleyUrl: parley.url, log: ctx.log, drainMs: DRAIN_MS };
    const conversations = groups.map((g, i) => ({ phoneNumberId: g.phoneNumberId, customer: customer(i) }));
    const e2e: E2ePhase[] = [];
    for (const rate of E2E_RATES) e2e.push(await e2ePhase(phase, conversations, rate, DURATION_MS));
    const hot = await hotPhase(phase, groups[0]!.phoneNumberId, HOT_RATE, HOT_DURATION_MS);
    return {
      e2e,
      hot,
      teams429: teams.stats().rateLimited,
      teams429ByLimit: requestsBetween(teams.requests, 0, Number.POSITIVE_INFINITY).rateLimited,
      ceilingMs: await ceiling(teams.loginEndpoint),
    };
  } finally {
    await parley.stop();
    await teams.close();
  }
}

/** Round trips to the fake Teams itself: the floor under any "posted in Teams" latency. */
async function ceiling(base: string): Promise<Percentiles> {
  const times: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t0 = performance.now();
    await (await fetch(`${base}/tenant/oauth2/v2.0/token`, { method: 'POST' })).arrayBuffer();
    times.push(performance.now() - t0);
  }
  return percentiles(times);
}
