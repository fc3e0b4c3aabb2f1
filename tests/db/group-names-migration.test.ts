import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, describe, expect, it } from 'vitest';
import { ormConfig } from '../../src/db/orm.ts';
import { currentAccount } from '../../src/setup/account.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * Issue 13, item 7: the migration that makes group names unique whatever their case runs on a
 * database where two groups differ only by case: the oldest keeps its name, later ones get " (2)"…
 */
const MIGRATION = 'Migration20261204050104';
const db = await createTestDb();
// Its own ORM, with snapshots off: running a migration down would otherwise rewrite
// migrations/.snapshot-parley.json from the half-migrated test database.
const base = ormConfig({ databaseUrl: db.url, poolMax: 2 });
const orm = new MikroORM({ ...base, migrations: { ...base.migrations, snapshot: false } });
afterAll(() => orm.close(true));

describe(MIGRATION, () => {
  it('renames later groups whose names differ only by case, then refuses such a name', async () => {
    const account = await currentAccount(db.em());
    await orm.migrator.down({ migrations: [MIGRATION] });
    const conn = db.em().getConnection();
    const insert = (name: string, minutesAgo: number) =>
      conn.execute(
        `insert into "groups" (id, account_id, name, created_at) values (gen_random_uuid(), ?, ?, now() - make_interval(mins => ?))`,
        [account.id, name, minutesAgo],
      );
    await insert('Billing', 30); // the oldest keeps its name
    await insert('billing', 20);
    await insert('BILLING', 10);
    await insert('billing (2)', 40); // already taken: the next free number is used
    await insert('Sales', 5);

    await orm.migrator.up({ migrations: [MIGRATION] });
    const rows = await conn.execute<{ name: string }[]>(`select name from "groups" order by created_at`);
    expect(rows.map((r) => r.name)).toEqual([
      'billing (2)',
      'Billing',
      'billing (3)',
      'BILLING (4)',
      'Sales',
    ]);
    await expect(insert('SALES', 0)).rejects.toThrow(/groups_account_id_lower_name_unique/);
  });
});
