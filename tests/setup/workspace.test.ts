import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { AuditEvent, ChannelEndpoint, Contact, Group, User } from '../../src/db/entities/index.ts';
import { AppError } from '../../src/domain/errors.ts';
import { applyWorkspace } from '../../src/setup/workspace/apply.ts';
import { exportWorkspace, workspaceToYaml } from '../../src/setup/workspace/export.ts';
import { parseWorkspaceText } from '../../src/setup/workspace/schema.ts';
import { countChanges } from '../../src/setup/workspace/summary.ts';
import { createTestDb } from '../support/test-db.ts';

const exampleText = await readFile(new URL('../../docs/workspace.example.yaml', import.meta.url), 'utf8');
const example = () => parseWorkspaceText(exampleText, 'workspace.example.yaml');

const mainDb = await createTestDb();
const emptyDb = await createTestDb();
/**
 * Databases for the tests that start from a workspace the example was applied to once, one each,
 * so every test runs alone (`-t`) or in any order.
 */
const againDb = await createTestDb();
const editedDb = await createTestDb();
const exportedDb = await createTestDb();
async function appliedOnce(db: typeof mainDb) {
  const first = await applyWorkspace(db.em(), example());
  expect(first.account).toBe('created');
  return db;
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe('applying the example workspace file', () => {
  it('a dry run reports the plan and writes nothing', async () => {
    const plan = await applyWorkspace(emptyDb.em(), example(), { dryRun: true });
    expect(plan.dryRun).toBe(true);
    expect(plan.groups.created).toEqual(['Support', 'Sales']);
    expect(plan.users.created).toHaveLength(3);
    const em = emptyDb.em();
    expect(await em.count(Group, {})).toBe(0);
    expect(await em.count(User, {})).toBe(0);
  });

  it('creates every record the first time, with users and endpoints in the groups the file names', async () => {
    const result = await applyWorkspace(mainDb.em(), example());
    expect(result.account).toBe('created');
    expect(result.groups.created).toEqual(['Support', 'Sales']);
    expect(result.users.created).toEqual(['ada@acme.example', 'alice@acme.example', 'sam@acme.example']);
    expect(result.endpoints.created).toHaveLength(4);
    expect(result.contacts.created).toEqual(['Dana Customer']);
    // R40: the team's saved reply and Alice's own.
    expect(result.savedReplies.created).toEqual(['team: hours', 'alice@acme.example: refund']);

    const em = mainDb.em();
    const support = await em.findOneOrFail(Group, { name: 'Support' });
    const sales = await em.findOneOrFail(Group, { name: 'Sales' });
    expect(support.aiAgent).toMatchObject({ enabled: true, name: 'Ava' });
    expect(support.digestCron).toBe('0 8 * * 1-5');
    // R41: a group the file says nothing of replies in the thread; Sales asks for explicit replies.
    expect([support.replies, sales.replies]).toEqual(['thread', 'explicit']);
    // R42: CSAT is off unless the file turns it on (Sales).
    expect([support.csat, sales.csat]).toEqual(['off', 'on']);
    const ada = await em.findOneOrFail(User, { email: 'ada@acme.example' });
    expect(ada.groupIds).toEqual([support.id, sales.id]);
    expect(ada.slackUserId).toBe('U0ADA0001');
    const sam = await em.findOneOrFail(User, { email: 'sam@acme.example' });
    expect(sam.role).toBe('agent');
    const salesWa = await em.findOneOrFail(ChannelEndpoint, {
      channel: 'whatsapp',
      address: '106540352242923',
    });
    expect(salesWa.group.id).toBe(sales.id);
    const alice = await em.findOneOrFail(User, { email: 'alice@acme.example' });
    const dana = await em.findOneOrFail(Contact, { name: 'Dana Customer' });
    expect(dana.defaultAssigneeIds).toEqual([alice.id]);
    expect(await em.count(AuditEvent, { action: 'workspace.applied' })).toBe(1);
  });

  it('applying the same file again changes nothing and says every record is unchanged', async () => {
    const db = await appliedOnce(againDb);
    const again = await applyWorkspace(db.em(), example());
    expect(countChanges(again)).toBe(0);
    expect(again.account).toBe('unchanged');
    expect(again.groups.unchanged).toEqual(['Support', 'Sales']);
    expect(again.users.unchanged).toHaveLength(3);
    expect(again.endpoints.unchanged).toHaveLength(4);
    expect(again.contacts.unchanged).toEqual(['Dana Customer']);
    expect(await db.em().count(AuditEvent, { action: 'workspace.applied' })).toBe(1);
  });

  it('reports which fields an edited file changes, and never deletes what the file leaves out', async () => {
    const db = await appliedOnce(editedDb);
    const doc = example();
    doc.groups = [{ name: 'Support', slackChannelId: 'C0NEWCHAN1' }];
    doc.users = [{ email: 'alice@acme.example', name: 'Alice Agent', groups: ['Support', 'Sales'] }];
    doc.endpoints = [{ group: 'Sales', channel: 'sms', address: '+15550001111', name: 'Support SMS' }];
    doc.contacts = [];
    const result = await applyWorkspace(db.em(), doc);
    expect(result.groups.updated).toEqual([{ key: 'Support', fields: ['slackChannelId'] }]);
    expect(result.users.updated).toEqual([{ key: 'alice@acme.example', fields: ['groupIds'] }]);
    expect(result.endpoints.updated).toEqual([{ key: 'sms +15550001111', fields: ['group'] }]);
    const em = db.em();
    expect(await em.count(Group, {})).toBe(2);
    expect(await em.count(User, {})).toBe(3);
    expect(await em.count(ChannelEndpoint, {})).toBe(4);
    expect(await em.count(Contact, {})).toBe(1);
    // Keys the file leaves out keep their stored values.
    const support = await em.findOneOrFail(Group, { name: 'Support' });
    expect(support.digestCron).toBe('0 8 * * 1-5');
    expect((await em.findOneOrFail(User, { email: 'alice@acme.example' })).slackUserId).toBe('U0ALICE01');
  });

  it('an export of the workspace applies back with nothing to change', async () => {
    const db = await appliedOnce(exportedDb);
    const exported = await exportWorkspace(db.em(), { contacts: true });
    const text = workspaceToYaml(exported);
    expect(text).toContain('name: Acme Support');
    expect(text).toContain('email: sam@acme.example');
    const result = await applyWorkspace(db.em(), parseWorkspaceText(text));
    expect(countChanges(result)).toBe(0);
  });
});

describe('a workspace file with mistakes', () => {
  it('names the path of an invalid field, the way the file reads', async () => {
    const text = exampleText.replace('email: sam@acme.example', 'email: not-an-email');
    const e = await refusal(Promise.resolve().then(() => parseWorkspaceText(text, 'ws.yaml')));
    expect(e.code).toBe('validation_failed');
    expect(e.message).toContain('users[2].email: Invalid email');
    expect(e.message).toContain('ws.yaml');
  });

  it('refuses a file whose users or endpoints name a group that does not exist, and writes nothing', async () => {
    const doc = {
      account: { name: 'Other' },
      groups: [{ name: 'Support' }],
      users: [{ email: 'x@y.test', name: 'X', groups: ['Support', 'Suport'] }],
      endpoints: [
        { group: 'Billing', channel: 'sms' as const, address: '+15550001198', name: 'Billing SMS' },
      ],
    };
    const e = await refusal(applyWorkspace(emptyDb.em(), doc));
    expect(e.code).toBe('validation_failed');
    expect(e.message).toContain('users[0].groups[1]: unknown group "Suport"');
    expect(e.message).toContain('endpoints[0].group: unknown group "Billing"');
    const em = emptyDb.em();
    expect(await em.count(Group, {})).toBe(0);
    expect(await em.count(User, {})).toBe(0);
  });

  it('refuses duplicate keys inside the file, naming both entries', async () => {
    const e = await refusal(
      applyWorkspace(emptyDb.em(), {
        groups: [{ name: 'A' }, { name: 'A' }],
        users: [
          { email: 'a@x.test', name: 'A' },
          { email: 'A@x.test', name: 'A again' },
        ],
      }),
    );
    expect(e.message).toContain('groups[1]: group A is also at groups[0]');
    expect(e.message).toContain('users[1]: email a@x.test is also at users[0]');
  });

  it('refuses unknown keys (a typo would otherwise be ignored silently)', async () => {
    const e = await refusal(
      applyWorkspace(emptyDb.em(), { groups: [{ name: 'A', slackChanelId: 'C1' }] } as never),
    );
    expect(e.message).toContain('groups[0]');
    expect(e.message).toContain('slackChanelId');
  });

  it('names the line of a YAML syntax error', async () => {
    const e = await refusal(
      Promise.resolve().then(() => parseWorkspaceText('groups:\n  - name: [A\n', 'bad.yaml')),
    );
    expect(e.code).toBe('bad_request');
    expect(e.message).toMatch(/^bad\.yaml line \d+:/);
  });

  it('refuses a Teams team without its channel, naming the group entry', async () => {
    const e = await refusal(applyWorkspace(emptyDb.em(), { groups: [{ name: 'A', teamsTeamId: 'T1' }] }));
    expect(e.message).toContain('groups[0]: Set both teamsTeamId and teamsChannelId');
    expect(await emptyDb.em().count(Group, {})).toBe(0);
  });

  it('R18: refuses a contact whose default assignee is not on its default visibility list', async () => {
    const e = await refusal(
      applyWorkspace(emptyDb.em(), {
        users: [
          { email: 'a@x.test', name: 'A' },
          { email: 'b@x.test', name: 'B' },
        ],
        contacts: [
          {
            identities: [{ channel: 'sms', address: '+15550001197' }],
            defaultAssignees: ['a@x.test'],
            defaultVisibleTo: ['b@x.test'],
          },
        ],
      }),
    );
    expect(e.code).toBe('rule_violation');
    expect(e.details).toMatchObject({ rule: 'R18' });
    expect(e.message).toContain('contacts[0]');
    expect(await emptyDb.em().count(User, {})).toBe(0);
  });
});
