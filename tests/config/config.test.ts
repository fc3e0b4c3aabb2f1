import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

const issuesOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
};

describe('configuration', () => {
  it('works with no variables at all on a machine with local PostgreSQL and Redis', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/parley');
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(c.PORT).toBe(3000);
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.ADMIN_API_TOKEN).toBeUndefined();
  });

  it('names each wrong variable in the error', () => {
    const issues = issuesOf({
      DATABASE_URL: 'mysql://x',
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      ADMIN_API_TOKEN: 'short',
    });
    expect(issues.find((i) => i.startsWith('DATABASE_URL:'))).toBe('DATABASE_URL: must be a postgres:// URL');
    expect(issues.find((i) => i.startsWith('PORT:'))).toMatch(/^PORT: .*expected number/);
    expect(issues.find((i) => i.startsWith('LOG_LEVEL:'))).toMatch(/^LOG_LEVEL: .*"info"/);
    expect(issues.find((i) => i.startsWith('ADMIN_API_TOKEN:'))).toMatch(/at least 24/);
  });

  it('refuses a channel or surface half configured instead of leaving it silently off', () => {
    expect(issuesOf({ SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual([
      expect.stringMatching(
        /^SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN \(Slack is on only with all of/,
      ),
    ]);
    expect(issuesOf({ TWILIO_ACCOUNT_SID: 'AC1' })).toEqual([
      expect.stringMatching(/^TWILIO_AUTH_TOKEN: required with TWILIO_ACCOUNT_SID/),
    ]);
    expect(issuesOf({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'shh' })).toEqual([]);
  });

  it('rejects a PUBLIC_URL that is not absolute and strips a trailing slash from a good one', () => {
    expect(issuesOf({ PUBLIC_URL: 'parley.example.com' })[0]).toMatch(/^PUBLIC_URL:/);
    expect(loadConfig({ PUBLIC_URL: 'https://parley.example.com/' }).publicUrl).toBe(
      'https://parley.example.com',
    );
  });
});
