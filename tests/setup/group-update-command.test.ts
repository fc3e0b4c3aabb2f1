import { describe, expect, it } from 'vitest';
import { AuditEvent, Group } from '../../src/db/entities/index.ts';
import { adminCall, sharedRedis, testApp } from '../http/helpers.ts';
import { setupCli } from '../support/setup-cli.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * `parley groups update <name>` (the README's "groups update"): the admin API's group update
 * (PATCH /groups/{id}) from the terminal, through the same use-case, with the same checks and
 * messages, audited as `via: cli`.
 */
const db = await createTestDb();
const { app } = testApp(db, sharedRedis());

const parley = setupCli(db);

const group = (name: string) => db.em().findOneOrFail(Group, { name });

describe('parley groups update', () => {
  it('links a Slack channel, a Teams channel and a digest, renames, and says what changed; audited via cli', async () => {
    await parley('groups', 'create', 'Billing');
    const { id } = await group('Billing');
    const linked = await parley(
      'groups',
      'update',
      'Billing',
      '--slack-channel',
      'C0BILL',
      '--teams-team',
      'team-1',
      '--teams-channel',
      '19:bill@thread.tacv2',
      '--digest-cron',
      '0 8 * * 1-5',
    );
    expect(linked).toMatchObject({
      out: `Updated group Billing (${id}): slackChannelId, teamsTeamId, teamsChannelId, digestCron`,
      err: '',
      exitCode: 0,
    });
    const renamed = await parley('groups', 'update', 'Billing', '--rename', 'Invoices');
    expect(renamed.out).toBe(`Updated group Invoices (${id}): name`);
    const g = await group('Invoices');
    expect([g.slackChannelId, g.teamsTeamId, g.teamsChannelId, g.digestCron]).toEqual([
      'C0BILL',
      'team-1',
      '19:bill@thread.tacv2',
      '0 8 * * 1-5',
    ]);
    const audits = await db
      .em()
      .find(AuditEvent, { action: 'group.updated' }, { orderBy: { createdAt: 'asc' } });
    expect(audits.filter((a) => a.data.groupId === id).map((a) => [a.data.changed, a.data.via])).toEqual([
      [['slackChannelId', 'teamsTeamId', 'teamsChannelId', 'digestCron'], 'cli'],
      [['name'], 'cli'],
    ]);
  });

  it('R41: --replies explicit makes plain thread messages notes; thread brings them back', async () => {
    await parley('groups', 'create', 'Careful');
    const { id } = await group('Careful');
    expect((await parley('groups', 'update', 'Careful', '--replies', 'explicit')).out).toBe(
      `Updated group Careful (${id}): replies`,
    );
    expect((await group('Careful')).replies).toBe('explicit');
    await parley('groups', 'update', 'Careful', '--replies', 'thread');
    expect((await db.em().fork().findOneOrFail(Group, { name: 'Careful' })).replies).toBe('thread');
  });

  it('R42: --csat on asks customers to rate closed conversations; off stops it; a wrong word is refused as the API refuses it', async () => {
    await parley('groups', 'create', 'Rated');
    const { id } = await group('Rated');
    expect((await group('Rated')).csat).toBe('off');
    expect((await parley('groups', 'update', 'Rated', '--csat', 'on')).out).toBe(
      `Updated group Rated (${id}): csat`,
    );
    expect((await group('Rated')).csat).toBe('on');
    const wrong = await parley('groups', 'update', 'Rated', '--csat', 'maybe');
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.err).toMatch(/csat must be "on".*or "off"/);
    await parley('groups', 'update', 'Rated', '--csat', 'off');
    expect((await db.em().fork().findOneOrFail(Group, { name: 'Rated' })).csat).toBe('off');
  });

  it('--no-… unlinks a channel or clears the digest; the same values again change nothing', async () => {
    await parley('groups', 'create', 'Unlinking', '--slack-channel', 'C0UNL', '--digest-cron', '0 9 * * *');
    await parley(
      'groups',
      'update',
      'Unlinking',
      '--teams-team',
      'team-2',
      '--teams-channel',
      '19:u@thread.tacv2',
    );
    const cleared = await parley(
      'groups',
      'update',
      'Unlinking',
      '--no-slack-channel',
      '--no-teams-channel',
      '--no-digest-cron',
    );
    expect(cleared.out).toMatch(/: slackChannelId, teamsTeamId, teamsChannelId, digestCron$/);
    const g = await group('Unlinking');
    expect([g.slackChannelId, g.teamsTeamId, g.teamsChannelId, g.digestCron]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect((await parley('groups', 'update', 'Unlinking', '--no-slack-channel')).out).toBe(
      'Group Unlinking already had these settings; nothing changed.',
    );
  });

  it('refuses what the admin API refuses, with the same message, exit code 1, and changes nothing', async () => {
    await parley('groups', 'create', 'Strict');
    await parley('groups', 'create', 'Taken');
    const { id } = await group('Strict');
    for (const [args, body] of [
      [['--digest-cron', '61 25 * * 9'], { digestCron: '61 25 * * 9' }],
      [['--teams-team', 'team-only'], { teamsTeamId: 'team-only' }],
      [['--rename', 'Taken'], { name: 'Taken' }],
      [['--replies', 'sometimes'], { replies: 'sometimes' }],
    ] as const) {
      const res = await parley('groups', 'update', 'Strict', ...args);
      const api = await adminCall(app, 'PATCH', `/groups/${id}`, body);
      const { error } = (await api.json()) as { error: { message: string } };
      expect(res.exitCode, args.join(' ')).toBe(1);
      // The API checks the body first ("The request is not valid: …"), the use-case the input: the same reasons.
      expect(res.err.replace(/^error: The input is/, 'error: The request is')).toBe(
        `error: ${error.message}`,
      );
    }
    const g = await group('Strict');
    expect([g.teamsTeamId, g.digestCron, g.replies]).toEqual([null, null, 'thread']);
  });

  it('names an unknown group, and asks for an option when given none', async () => {
    const unknown = await parley('groups', 'update', 'Nobody', '--slack-channel', 'C0X');
    expect([unknown.exitCode, unknown.err]).toEqual([
      1,
      'error: There is no group named "Nobody"; list the groups to see their names.',
    ]);
    await parley('groups', 'create', 'Idle');
    const nothing = await parley('groups', 'update', 'Idle');
    expect([nothing.exitCode, nothing.err]).toEqual([
      1,
      'error: nothing to change; give an option (see `parley groups update --help`).',
    ]);
  });
});
