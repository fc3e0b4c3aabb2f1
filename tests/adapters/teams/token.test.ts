import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { teamsCloud } from '../../../adapters/surfaces/teams/cloud.ts';
import { createTeamsTokenSource } from '../../../adapters/surfaces/teams/token.ts';
import { loadConfig } from '../../../src/config.ts';
import { AppError } from '../../../src/domain/errors.ts';
import {
  BOT_SCOPE,
  fakeTeamsAuth,
  GRAPH_SCOPE,
  TEAMS_APP_ID,
  TEAMS_ENV,
  TEAMS_TENANT_ID,
} from '../../support/fake-teams-auth.ts';
import { useMsw } from '../../support/msw.ts';

/**
 * Issue 10, "SDK and hosting" (R28, R29: every post and reply Parley makes in Teams goes out
 * with it): outbound calls use a client-credentials token of the single-tenant app, cached until
 * shortly before it expires; a refused credential says which variable is wrong.
 */
const auth = fakeTeamsAuth();
useMsw(...auth.handlers);

function source(env: Record<string, string> = {}) {
  const config = loadConfig({ ...TEAMS_ENV, ...env });
  const lines: { level: number; msg: string; variable?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  let clock = Date.UTC(2026, 11, 3, 12, 0, 0);
  const tokens = createTeamsTokenSource({
    appId: config.TEAMS_APP_ID!,
    password: config.TEAMS_APP_PASSWORD!,
    tenantId: config.TEAMS_TENANT_ID!,
    environment: teamsCloud(config).environment,
    logger,
    now: () => clock,
  });
  return { tokens, lines, advance: (ms: number) => (clock += ms) };
}

const refusal = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
};

describe('the Teams client-credentials token', () => {
  it('is asked for at <login>/<tenant>/oauth2/v2.0/token with the bot scope, then cached', async () => {
    const s = source();
    const before = auth.tokenRequests.length;
    const first = await s.tokens.token();
    expect(await s.tokens.token()).toBe(first);
    expect(auth.isIssued(first)).toBe(true);
    const requests = auth.tokenRequests.slice(before);
    expect(requests).toEqual([
      {
        tenant: TEAMS_TENANT_ID,
        form: {
          grant_type: 'client_credentials',
          client_id: TEAMS_APP_ID,
          client_secret: TEAMS_ENV.TEAMS_APP_PASSWORD,
          scope: BOT_SCOPE,
        },
      },
    ]);
  });

  it('is fetched once for callers asking at the same time', async () => {
    const s = source();
    const before = auth.tokenRequests.length;
    const all = await Promise.all(Array.from({ length: 6 }, () => s.tokens.token()));
    expect(new Set(all).size).toBe(1);
    expect(auth.tokenRequests.length - before).toBe(1);
  });

  it('is kept per scope: a Graph token beside the Bot Framework one', async () => {
    const s = source();
    const before = auth.tokenRequests.length;
    const bot = await s.tokens.token();
    const graph = await s.tokens.token(GRAPH_SCOPE);
    expect(await s.tokens.token(GRAPH_SCOPE)).toBe(graph);
    expect(await s.tokens.token()).toBe(bot);
    expect([auth.isIssued(bot), auth.isIssued(graph, GRAPH_SCOPE), auth.isIssued(graph)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(auth.tokenRequests.slice(before).map((r) => r.form.scope)).toEqual([BOT_SCOPE, GRAPH_SCOPE]);
  });

  it('is renewed five minutes before it expires, not earlier', async () => {
    const s = source();
    auth.setTokenLifetime(3600);
    const first = await s.tokens.token();
    s.advance((3600 - 301) * 1000);
    expect(await s.tokens.token()).toBe(first);
    s.advance(2000);
    const second = await s.tokens.token();
    expect(second).not.toBe(first);
    expect(auth.isIssued(second)).toBe(true);
  });

  it('names TEAMS_APP_PASSWORD when Entra refuses the secret, logs it once, and tries again next time', async () => {
    const s = source();
    auth.expectRefusal('AADSTS7000215');
    auth.failNextToken('bad_secret', 'bad_secret');
    const err = await refusal(s.tokens.token());
    expect(err.code).toBe('not_configured');
    expect(err.message).toMatch(/TEAMS_APP_PASSWORD is not a valid client secret/);
    await refusal(s.tokens.token());
    const errors = s.lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ variable: 'TEAMS_APP_PASSWORD' });
    // Nothing refused is cached: once the secret is fixed, the next call gets a token.
    expect(auth.isIssued(await s.tokens.token())).toBe(true);
  });

  it('names TEAMS_APP_PASSWORD for an expired secret, TEAMS_TENANT_ID and TEAMS_APP_ID for unknown ones', async () => {
    auth.expectRefusal(/^AADSTS(7000222|90002|700016)$/);
    auth.failNextToken('expired_secret');
    expect((await refusal(source().tokens.token())).message).toMatch(/TEAMS_APP_PASSWORD has expired/);
    const otherTenant = source({ TEAMS_TENANT_ID: '0f0e0d0c-0b0a-4909-8807-060504030201' });
    expect((await refusal(otherTenant.tokens.token())).message).toMatch(
      /TEAMS_TENANT_ID names no Entra tenant/,
    );
    const otherApp = source({ TEAMS_APP_ID: '11111111-2222-4333-8444-555555555555' });
    expect((await refusal(otherApp.tokens.token())).message).toMatch(/TEAMS_APP_ID names no app/);
  });

  it('treats an Entra outage as temporary: unavailable, nothing logged as an error', async () => {
    const s = source();
    auth.failNextToken('unavailable');
    expect((await refusal(s.tokens.token())).code).toBe('unavailable');
    expect(s.lines.filter((l) => l.level >= 50)).toEqual([]);
    expect(auth.isIssued(await s.tokens.token())).toBe(true);
  });
});
