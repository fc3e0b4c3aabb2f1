import { beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../../src/domain/actor.ts';
import { listSql } from '../../src/queries/conversation-list.ts';
import { dashboardTilesSql } from '../../src/queries/dashboard-tiles.ts';
import { inboxBadgesSql } from '../../src/queries/inbox-badges.ts';
import { encodeCursor } from '../../src/queries/page.ts';
import type { Sql } from '../../src/queries/sql.ts';
import { unrepliedMessagesSql } from '../../src/queries/unreplied-messages.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * "Fast as data grows" as plan assertions, not timings: on 20,000 conversations and 60,000
 * messages, the read queries reach rows through indexes and never scan the message table.
 */
const db = await createTestDb();
let viewer: Viewer;

beforeAll(async () => {
  const ws = await seedWorkspace(db.em());
  const em = db.em();
  const run = (text: string, params: unknown[] = []) => em.execute(text, params);
  await run(
    `insert into groups (id, account_id, name, created_at)
    select gen_random_uuid(), ?, 'Team ' || g, now() from generate_series(1, 9) g`,
    [ws.account.id],
  );
  await run(
    `insert into users (id, account_id, name, email, role, group_ids, created_at)
    select gen_random_uuid(), ?, 'Agent ' || g, 'agent' || g || '@acme.test', 'agent', array[?], now()
    from generate_series(1, 19) g`,
    [ws.account.id, ws.group.id],
  );
  await run(
    `insert into contact (id, account_id, name, created_at, updated_at)
    select gen_random_uuid(), ?, 'Contact ' || g, now(), now() from generate_series(1, 20000) g`,
    [ws.account.id],
  );
  // 10 groups, 20% open, a third unassigned, a quarter waiting for a reply, 1 in 50 restricted.
  await run(
    `with grp as (select array_agg(id order by name) ids from groups),
      usr as (select array_agg(id::text order by name) ids from users where group_ids @> array[?]),
      ct as (select id, row_number() over (order by id) n from contact)
    insert into conversation (id, account_id, group_id, number, contact_id, status, assignee_ids, visible_to_ids,
      channel, last_message_at, last_seq, unreplied_count, oldest_unreplied_at, created_at, updated_at)
    select gen_random_uuid(), ?, grp.ids[1 + ct.n % 10], 100000 + ct.n, ct.id,
      case when ct.n % 5 = 0 then 'open' else 'closed' end,
      case when ct.n % 3 = 0 then '{}'::text[] else array[usr.ids[1 + ct.n % 20]] end,
      case when ct.n % 50 = 0 then array[usr.ids[1 + ct.n % 20]] else null end,
      'whatsapp', now() - ct.n * interval '1 minute', 3,
      case when ct.n % 4 = 0 then 2 else 0 end,
      case when ct.n % 4 = 0 then now() - ct.n * interval '1 minute' end, now(), now()
    from ct, grp, usr`,
    [ws.group.id, ws.account.id],
  );
  await run(`insert into message (id, account_id, conversation_id, seq, kind, text, awaiting_reply, created_at)
    select gen_random_uuid(), c.account_id, c.id, s, case when s = 2 then 'reply' else 'inbound' end,
      'message ' || s || ' about order ' || c.number, c.unreplied_count > 0 and s <> 2,
      c.last_message_at - (3 - s) * interval '1 second'
    from conversation c, generate_series(1, 3) s`);
  // Alice has read a quarter of them; every pair of users has an internal chat of 20 messages.
  await run(
    `insert into read_state (user_id, conversation_id, last_read_seq, updated_at)
    select ?, c.id, c.last_seq, now() from conversation c where c.number % 4 = 1`,
    [ws.alice.id],
  );
  await run(
    `insert into internal_chat (id, account_id, user_a_id, user_b_id, last_seq, last_message_at, created_at)
    select gen_random_uuid(), a.account_id, a.id, b.id, 20, now() - random() * interval '30 days', now()
    from users a join users b on a.id < b.id where a.account_id = ?`,
    [ws.account.id],
  );
  await run(`insert into internal_message (id, chat_id, seq, author_id, kind, text, attachments, created_at)
    select gen_random_uuid(), ic.id, s, ic.user_a_id, 'message', 'internal ' || s, '[]', now()
    from internal_chat ic, generate_series(1, 20) s`);
  await run('analyze');
  viewer = { id: ws.alice.id, accountId: ws.account.id, role: 'agent', groupIds: [ws.group.id] };
});

async function plan(q: Sql): Promise<string> {
  const rows = await db.em().execute<{ 'QUERY PLAN': string }[]>(`explain ${q.text}`, [...q.params]);
  const text = rows.map((r) => r['QUERY PLAN']).join('\n');
  if (process.env.SHOW_PLANS) console.log(text);
  return text;
}

const noFullScans = (p: string) => {
  for (const table of ['message', 'conversation', 'read_state', 'internal_message', 'contact']) {
    expect(p).not.toMatch(new RegExp(`Seq Scan on ${table} `));
  }
};

describe('query plans on 20,000 conversations', () => {
  it('R26: the tiles read conversation counters through indexes, never the message table', async () => {
    const p = await plan(dashboardTilesSql(viewer));
    noFullScans(p);
    expect(p).not.toMatch(/ on message /);
    expect(p).toMatch(/conversation_unreplied_idx|conversation_unassigned_idx/);
  });

  it('R13: the inbox badges read conversation counters and read marks by index', async () => {
    const p = await plan(inboxBadgesSql(viewer));
    noFullScans(p);
    expect(p).not.toMatch(/ on message /);
  });

  it('R9: a Team inbox page walks the group index and looks up previews for its rows only', async () => {
    const p = await plan(listSql(viewer, {}, { internalChats: true }).sql);
    noFullScans(p);
  });

  it('R9: a later Team inbox page starts at its cursor in the index', async () => {
    const cursor = encodeCursor({
      at: '2026-01-01T00:00:00.000000Z',
      id: '00000000-0000-4000-8000-000000000000',
    });
    const p = await plan(listSql(viewer, { cursor }, { internalChats: true }).sql);
    noFullScans(p);
  });

  it("R9: My inbox finds the viewer's conversations by index", async () => {
    const p = await plan(listSql(viewer, {}, { internalChats: true, assignedToViewer: true }).sql);
    noFullScans(p);
  });

  it('R10: text search uses the full-text index on messages', async () => {
    const p = await plan(
      listSql(viewer, { text: 'order 100450', status: 'all' }, { internalChats: false }).sql,
    );
    noFullScans(p);
    expect(p).toMatch(/message_text_fts/);
  });

  it('R26: the unreplied list starts from open conversations waiting for a reply', async () => {
    const p = await plan(unrepliedMessagesSql(viewer, {}).sql);
    noFullScans(p);
  });
});
