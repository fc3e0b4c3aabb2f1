import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerSetupCommands } from '../../src/cli/setup-commands.ts';
import { AuditEvent, ChatUnlinkNotice, Group, User } from '../../src/db/entities/index.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const dir = await mkdtemp(join(tmpdir(), 'parley-cli-'));
let opened = 0;
let closed = 0;

/** Runs `parley <args>` against the test database; returns what it printed and its exit code. */
async function parley(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let exitCode = 0;
  const program = new Command('parley').exitOverride().configureOutput({
    writeOut: (s) => out.push(s.trimEnd()),
    writeErr: (s) => err.push(s.trimEnd()),
  });
  registerSetupCommands(
    program,
    async () => {
      opened += 1;
      return {
        orm: db.orm,
        close: async () => {
          closed += 1;
        },
      };
    },
    {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      fail: (code) => {
        exitCode = code;
      },
    },
  );
  await program.parseAsync(args, { from: 'user' });
  return { out: out.join('\n'), err: err.join('\n'), exitCode };
}

/**
 * The named groups, created through the CLI unless there already. Each test names groups and
 * users of its own, so it runs alone (`-t`) or in any order.
 */
async function groupsNamed(...names: string[]) {
  for (const name of names) {
    if ((await db.em().count(Group, { name })) > 0) continue;
    const res = await parley('groups', 'create', name);
    expect(res.exitCode, res.err).toBe(0);
  }
}

/** An admin created through the CLI in the given groups (created first when missing). */
async function adminIn(email: string, name: string, groups: string[]) {
  await groupsNamed(...groups);
  const res = await parley(
    'users',
    'create',
    '--email',
    email,
    '--name',
    name,
    '--role',
    'admin',
    ...groups.flatMap((g) => ['--group', g]),
  );
  expect(res.exitCode, res.err).toBe(0);
  return db.em().findOneOrFail(User, { email });
}

describe('parley groups and users', () => {
  it('creates and lists groups', async () => {
    const created = await parley(
      'groups',
      'create',
      'Support',
      '--slack-channel',
      'C0SUP',
      '--digest-cron',
      '0 8 * * *',
      '--replies',
      'explicit',
      '--csat',
      'on',
    );
    expect(created.exitCode).toBe(0);
    expect(created.out).toMatch(/^Created group Support \([0-9a-f-]{36}\)$/);
    await parley('groups', 'create', 'Sales');
    const list = await parley('groups', 'list');
    const lines = list.out.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SLACK\s+TEAMS\s+AI AGENT\s+DIGEST\s+REPLIES\s+CSAT\s+ID$/);
    // By name (other tests' groups may be listed too).
    const sales = lines.findIndex((l) => /^Sales\s/.test(l));
    const support = lines.findIndex((l) => /^Support\s/.test(l));
    expect(lines[sales]).toMatch(/^Sales\s+-\s+-\s+-\s+-\s+thread\s+off\s/);
    // R41: the reply mode given at creation.
    expect(lines[support]).toMatch(/^Support\s+C0SUP\s+-\s+-\s+0 8 \* \* \*\s+explicit\s+on\s/);
    expect(sales).toBeGreaterThan(0);
    expect(sales).toBeLessThan(support);
  });

  it('creates a user in named groups, and refuses a taken email with the reason and exit code 1', async () => {
    await groupsNamed('Front desk', 'Back office');
    const ok = await parley(
      'users',
      'create',
      '--email',
      'ada@acme.test',
      '--name',
      'Ada',
      '--role',
      'admin',
      '--group',
      'Front desk',
      '--group',
      'Back office',
    );
    expect(ok.out).toMatch(/^Created admin ada@acme\.test/);
    const user = await db.em().findOneOrFail(User, { email: 'ada@acme.test' });
    expect(user.groupIds).toHaveLength(2);
    const again = await parley('users', 'create', '--email', 'ADA@acme.test', '--name', 'Ada 2');
    expect(again.exitCode).toBe(1);
    expect(again.err).toBe('error: That email already belongs to ada@acme.test; each user needs their own.');
  });

  it('refuses an unknown group by name, saying how to find the names', async () => {
    const res = await parley('users', 'create', '--email', 'x@acme.test', '--name', 'X', '--group', 'Suport');
    expect(res.exitCode).toBe(1);
    expect(res.err).toContain('no group named "Suport"; list the groups');
    expect(await db.em().count(User, { email: 'x@acme.test' })).toBe(0);
  });

  it('R33: links a user to their Slack and Teams accounts, and the list shows the links', async () => {
    const lin = await adminIn('lin@acme.test', 'Lin', ['Linking', 'Relations']);
    expect((await parley('users', 'link-slack', 'lin@acme.test', 'U0LIN')).out).toBe(
      'Linked lin@acme.test to Slack user U0LIN',
    );
    await parley('users', 'link-teams', 'lin@acme.test', '29:lin');
    const list = await parley('users', 'list', '--group', 'Relations');
    expect(list.out.split('\n').slice(1)).toEqual([
      expect.stringMatching(/^lin@acme\.test\s+Lin\s+admin\s+Linking,Relations\s+U0LIN\s+29:lin\s+yes$/),
    ]);
    const audits = await db
      .em()
      .find(AuditEvent, { action: 'user.updated' }, { orderBy: { createdAt: 'asc' } });
    expect(audits.filter((a) => a.data.userId === lin.id).map((a) => a.data.via)).toEqual(['cli', 'cli']);
  });

  it('R35: relinking or unlinking through the CLI is audited and the previous Slack user will be told', async () => {
    await adminIn('rel@acme.test', 'Rel', ['Relinking']);
    await parley('users', 'link-slack', 'rel@acme.test', 'U0REL');
    expect((await parley('users', 'link-slack', 'rel@acme.test', 'U0REL2')).out).toBe(
      'Linked rel@acme.test to Slack user U0REL2\nSlack user U0REL is no longer linked to rel@acme.test and will be told.',
    );
    expect((await parley('users', 'unlink-slack', 'rel@acme.test')).out).toBe(
      'Unlinked rel@acme.test from Slack user U0REL2; they will be told.',
    );
    const notices = await db
      .em()
      .find(
        ChatUnlinkNotice,
        { platformUserId: { $in: ['U0REL', 'U0REL2'] } },
        { orderBy: { createdAt: 'asc' } },
      );
    expect(notices.map((n) => [n.surface, n.platformUserId, n.toldAt])).toEqual([
      ['slack', 'U0REL', null],
      ['slack', 'U0REL2', null],
    ]);
    const changes = await db
      .em()
      .find(AuditEvent, { action: 'user.chat_identity_changed' }, { orderBy: { createdAt: 'asc' } });
    expect(changes.map((a) => [a.data.from, a.data.to])).toEqual(
      expect.arrayContaining([
        ['U0REL', 'U0REL2'],
        ['U0REL2', null],
      ]),
    );
  });

  it('a missing required option is reported by commander and runs nothing', async () => {
    const before = opened;
    await expect(parley('users', 'create', '--name', 'No Email')).rejects.toThrow(/--email/);
    expect(opened).toBe(before);
  });
});

describe('parley endpoints and contacts', () => {
  it('creates and lists endpoints; refuses a channel that does not exist', async () => {
    await groupsNamed('Helpdesk');
    const ok = await parley(
      'endpoints',
      'create',
      '--group',
      'Helpdesk',
      '--channel',
      'sms',
      '--address',
      '+15550001111',
      '--name',
      'Support SMS',
    );
    expect(ok.out).toMatch(/^Created sms endpoint \+15550001111 for Helpdesk/);
    const list = await parley('endpoints', 'list');
    expect(list.out.split('\n').find((l) => l.includes('+15550001111'))).toMatch(
      /^sms\s+\+15550001111\s+Support SMS\s+Helpdesk\s+[0-9a-f-]{36}$/,
    );
    const bad = await parley(
      'endpoints',
      'create',
      '--group',
      'Helpdesk',
      '--channel',
      'fax',
      '--address',
      '1',
      '--name',
      'Fax',
    );
    expect(bad.exitCode).toBe(1);
    expect(bad.err).toContain('channel: must be one of webchat, whatsapp, sms');
  });

  it('creates contacts with identities and tags, and lists them by tag', async () => {
    const ok = await parley(
      'contacts',
      'create',
      '--name',
      'Dana',
      '--tag',
      'vip',
      '--identity',
      'whatsapp:+15557654321',
      '--identity',
      'sms:+15557654321',
    );
    expect(ok.out).toMatch(/^Created contact Dana/);
    await parley('contacts', 'create', '--name', 'Eli', '--identity', 'sms:+15550000002');
    const list = await parley('contacts', 'list', '--tag', 'vip');
    const lines = list.out.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^Dana\s+vip\s+sms:\+15557654321 whatsapp:\+15557654321/);
    const bad = await parley('contacts', 'create', '--identity', 'nocolon');
    expect(bad.err).toContain('write it as channel:address');
  });
});

describe('parley workspace', () => {
  const file = join(dir, 'workspace.yaml');

  it('apply --dry-run prints the plan and writes nothing; apply writes; applying again changes nothing', async () => {
    await writeFile(
      file,
      [
        'groups:',
        '  - name: Billing',
        '    slackChannelId: C0BILL',
        'users:',
        '  - email: bo@acme.test',
        '    name: Bo',
        '    groups: [Billing]',
        '',
      ].join('\n'),
    );
    const dry = await parley('workspace', 'apply', file, '--dry-run');
    expect(dry.exitCode).toBe(0);
    expect(dry.out).toContain('Dry run: nothing was written');
    expect(dry.out).toContain('groups: 1 created, 0 updated, 0 unchanged');
    expect(dry.out).toContain('  + Billing');
    expect(await db.em().count(Group, { name: 'Billing' })).toBe(0);

    const applied = await parley('workspace', 'apply', file);
    expect(applied.out).toContain('users: 1 created');
    expect(await db.em().count(Group, { name: 'Billing' })).toBe(1);

    const again = await parley('workspace', 'apply', file);
    expect(again.out).toContain('groups: 0 created, 0 updated, 1 unchanged');
    expect(again.out).toContain('Nothing to change');
  });

  it('apply refuses a file naming an unknown group, with the path in the file and exit code 1', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'users:\n  - email: cy@acme.test\n    name: Cy\n    groups: [Nope]\n');
    const res = await parley('workspace', 'apply', bad);
    expect(res.exitCode).toBe(1);
    expect(res.err).toContain('users[0].groups[0]: unknown group "Nope"');
    expect(await db.em().count(User, { email: 'cy@acme.test' })).toBe(0);
  });

  it('apply says which file it could not read', async () => {
    const res = await parley('workspace', 'apply', join(dir, 'missing.yaml'));
    expect(res.exitCode).toBe(1);
    expect(res.err).toContain('Cannot read');
    expect(res.err).toContain('ENOENT');
  });

  it('export prints YAML that applies back with nothing to change', async () => {
    await adminIn('exp@acme.test', 'Exp', ['Exported']);
    const exported = await parley('workspace', 'export', '--contacts');
    expect(exported.out).toContain('name: Exported');
    expect(exported.out).toContain('email: exp@acme.test');
    const back = join(dir, 'export.yaml');
    await writeFile(back, exported.out);
    const res = await parley('workspace', 'apply', back);
    expect(res.out).toContain('Nothing to change');
  });

  it('closes the database after every command, the failed ones too', async () => {
    const before = opened;
    expect((await parley('groups', 'list')).exitCode).toBe(0);
    expect((await parley('workspace', 'apply', join(dir, 'missing.yaml'))).exitCode).toBe(1);
    expect(opened).toBe(before + 2);
    expect(closed).toBe(opened);
  });
});
