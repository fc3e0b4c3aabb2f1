import { describe, expect, it } from 'vitest';
import { Group, User } from '../../src/db/entities/index.ts';
import { currentAccount } from '../../src/setup/account.ts';
import { findGroupByName } from '../../src/setup/groups.ts';
import { applyWorkspace } from '../../src/setup/workspace/apply.ts';
import { adminCall, sharedRedis, testApp } from '../http/helpers.ts';
import { createTestDb } from '../support/test-db.ts';

/** Issue 13, item 7: group names are unique whatever their case, as emails are. */
const db = await createTestDb();
const { app } = testApp(db, sharedRedis());
const call = (method: string, path: string, body?: unknown) => adminCall(app, method, path, body);
const created = async (name: string) => {
  const res = await call('POST', '/groups', { name });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { id: string; name: string };
};
const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string; details?: Record<string, unknown> } })
    .error;

describe('group names, whatever their case', () => {
  it('creating "Billing" when "billing" exists is refused with 409 naming the existing group', async () => {
    const billing = await created('billing');
    const res = await call('POST', '/groups', { name: 'Billing' });
    expect(res.status).toBe(409);
    const error = await errorOf(res);
    expect(error.message).toMatch(
      /^A group named "billing" already exists .*whatever their case.*pick another name/,
    );
    expect(error.details).toMatchObject({ groupId: billing.id, name: 'billing' });
    expect(await db.em().count(Group, { name: 'Billing' })).toBe(0);
  });

  it('renaming onto another group’s name in another case is refused; changing only a group’s own case is not', async () => {
    const sales = await created('sales');
    const other = await created('Marketing');
    const clash = await call('PATCH', `/groups/${other.id}`, { name: 'SALES' });
    expect(clash.status).toBe(409);
    expect((await errorOf(clash)).message).toMatch(/"sales" already exists/);
    const recased = await call('PATCH', `/groups/${sales.id}`, { name: 'Sales' });
    expect(recased.status).toBe(200);
    expect(((await recased.json()) as { name: string }).name).toBe('Sales');
  });

  it('a lookup by name (CLI, workspace file) ignores case', async () => {
    const support = await created('Customer Support');
    expect((await findGroupByName(db.em(), 'customer SUPPORT')).id).toBe(support.id);
    await expect(findGroupByName(db.em(), 'customer support team')).rejects.toThrow(/no group named/);

    // The workspace file matches the group whatever the case, and keeps the file's spelling.
    await applyWorkspace(db.em(), {
      groups: [{ name: 'Customer support' }],
      users: [{ email: 'ada@acme.test', name: 'Ada', groups: ['CUSTOMER SUPPORT'] }],
    });
    const account = await currentAccount(db.em());
    const groups = await db.em().find(Group, { account, id: support.id });
    expect(groups.map((g) => g.name)).toEqual(['Customer support']);
    expect((await db.em().findOneOrFail(User, { email: 'ada@acme.test' })).groupIds).toEqual([support.id]);
  });

  it('a workspace file that lists one group twice in two cases is refused', async () => {
    await expect(applyWorkspace(db.em(), { groups: [{ name: 'Ops' }, { name: 'OPS' }] })).rejects.toThrow(
      /group OPS is also at groups\[0\]/,
    );
  });
});
