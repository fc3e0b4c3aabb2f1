import { parseArgs } from 'node:util';
import type { EntityManager } from '@mikro-orm/postgresql';
import { createOrm } from '../src/db/orm.ts';
import type { Viewer } from '../src/domain/actor.ts';
import { listSql } from '../src/queries/conversation-list.ts';
import { dashboardTilesSql } from '../src/queries/dashboard-tiles.ts';
import type { Sql } from '../src/queries/sql.ts';
import { DEFAULT_DATABASE_URL } from './dashboards.ts';
import { SEARCHES } from './dashboards-cases.ts';

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the dashboard benchmark's queries, for one viewer of an already
 * seeded benchmark database (run bench/dashboards.ts first):
 *
 *   npx node bench/dashboards-explain.ts [--query tiles|inbox|search] [--text WORDS] [--groups 3]
 *
 * The viewer is the first agent in `groups` groups; each plan is run twice and the second (warm)
 * one printed.
 */
const { values } = parseArgs({
  options: {
    'database-url': { type: 'string', default: DEFAULT_DATABASE_URL },
    query: { type: 'string', default: 'tiles' },
    text: { type: 'string', default: SEARCHES[0].text },
    groups: { type: 'string', default: '3' },
  },
});

const orm = await createOrm({ databaseUrl: values['database-url'] });
const em = () => orm.em.fork() as EntityManager;
try {
  const [viewer] = await em().execute<Viewer[]>(
    `select id, account_id as "accountId", role, group_ids as "groupIds" from users
    where role = 'agent' and cardinality(group_ids) = ? order by name limit 1`,
    [Number(values.groups)],
  );
  if (!viewer) throw new Error(`No agent in ${values.groups} groups: is the benchmark database seeded?`);
  const queries: Record<string, () => Sql> = {
    tiles: () => dashboardTilesSql(viewer),
    inbox: () => listSql(viewer, {}, { internalChats: true }).sql,
    search: () => listSql(viewer, { text: values.text }, { internalChats: false }).sql,
  };
  const build = queries[values.query];
  if (!build) throw new Error(`--query must be one of ${Object.keys(queries).join(', ')}`);
  const q = build();
  let plan: { 'QUERY PLAN': string }[] = [];
  for (let run = 0; run < 2; run++) {
    plan = await em().execute(`explain (analyze, buffers) ${q.text}`, [...q.params]);
  }
  console.log(plan.map((r) => r['QUERY PLAN']).join('\n'));
} finally {
  await orm.close(true);
}
