import { beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../../src/domain/actor.ts';
import { TEXT_HITS_CAP } from '../../src/queries/conversation-candidates.ts';
import { searchConversations } from '../../src/queries/search-conversations.ts';
import { teamInbox } from '../../src/queries/team-inbox.ts';
import { createTestDb } from '../support/test-db.ts';
import { workspace } from './support.ts';

/**
 * Search finds the same conversations whatever the word's frequency: a text search is answered
 * from the newest conversations, a walk, or the full-text index's hits depending on how common the
 * word is (src/queries/conversation-candidates.ts). Each word below takes one of those ways; every
 * page is checked against the seeding rules, with restricted conversations (R17) and paging.
 */
const db = await createTestDb();
const { ws, viewers } = await workspace(db);

// Conversation n (1..300) of the Support group is n minutes old: 1 is the newest.
const SIZE = 300;
const closed = (n: number) => n % 7 === 0;
/** R17: restricted to Alice; Bob must never get these. */
const restricted = (n: number) => n % 11 === 0;
const WORDS: Record<string, (n: number) => boolean> = {
  // Two in three conversations: the first page is full among the newest.
  alpha: (n) => n % 3 !== 0,
  // About 1 in 13: a few among the newest, the rest found by walking on.
  bravo: (n) => n % 13 === 0,
  // Three old conversations (one restricted): none among the newest, few hits in the index.
  charlie: (n) => n === 150 || n === 220 || n === 290,
  // Two old conversations here, but thousands of messages in the Sales group: over the hits cap.
  delta: (n) => n === 200 || n === 280,
};
const ids = new Map<number, string>();

beforeAll(async () => {
  const em = db.em();
  const run = (text: string, params: unknown[] = []) => em.execute(text, params);
  await run(
    `insert into contact (id, account_id, name, created_at, updated_at)
    select gen_random_uuid(), ?, 'Bulk ' || n, now(), now() from generate_series(1, ?) n`,
    [ws.account.id, SIZE + 100],
  );
  await run(
    `with ct as (select id, row_number() over (order by id) n from contact where name like 'Bulk %')
    insert into conversation (id, account_id, group_id, number, contact_id, status, assignee_ids, visible_to_ids,
      channel, last_message_at, last_seq, created_at, updated_at)
    select gen_random_uuid(), ?, case when ct.n <= ? then ?::uuid else ?::uuid end, 100000 + ct.n, ct.id,
      case when ct.n <= ? and ct.n % 7 = 0 then 'closed' else 'open' end, '{}',
      case when ct.n <= ? and ct.n % 11 = 0 then array[?] end,
      'whatsapp', now() - ct.n * interval '1 minute', 2, now(), now()
    from ct`,
    [ws.account.id, SIZE, ws.group.id, ws.otherGroup.id, SIZE, SIZE, ws.alice.id],
  );
  const rows = await run(`select id, number - 100000 as n from conversation where number > 100000`);
  for (const r of rows as { id: string; n: number }[]) ids.set(Number(r.n), r.id);
  // Two messages each: the customer's words, then a reply naming none of the search words.
  const words = (n: number) =>
    Object.entries(WORDS)
      .filter(([, has]) => n <= SIZE && has(n))
      .map(([w]) => w);
  const texts = [...ids].map(([n, id]) => ({ id, text: `hello ${words(n).join(' ')} order ${n}` }));
  await run(
    `insert into message (id, account_id, conversation_id, seq, kind, text, awaiting_reply, created_at)
    select gen_random_uuid(), ?, t.id::uuid, s, case s when 1 then 'inbound' else 'reply' end,
      case s when 1 then t.text else 'thanks, we are on it' end, false, now()
    from jsonb_to_recordset(?::jsonb) t(id text, text text), generate_series(1, 2) s`,
    [ws.account.id, JSON.stringify(texts)],
  );
  // "delta" in many messages of the Sales group, which Bob is not in.
  await run(
    `insert into message (id, account_id, conversation_id, seq, kind, text, awaiting_reply, created_at)
    select gen_random_uuid(), c.account_id, c.id, 2 + s, 'inbound', 'delta again', false, now()
    from conversation c, generate_series(1, ?) s where c.group_id = ?`,
    [Math.ceil((TEXT_HITS_CAP + 100) / 100), ws.otherGroup.id],
  );
  await run('analyze');
});

/** What the rules say the viewer finds for a word: open, visible, newest first. */
function expected(word: string, viewer: Viewer): string[] {
  const has = WORDS[word]!;
  const found: string[] = [];
  for (let n = 1; n <= SIZE; n++) {
    if (!has(n) || closed(n)) continue;
    if (restricted(n) && viewer.id !== viewers.alice.id) continue;
    found.push(ids.get(n)!);
  }
  return found;
}

/** Every page of a search, following cursors. */
async function allPages(viewer: Viewer, text: string, limit?: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await searchConversations(db.em(), viewer, { text, limit, cursor });
    seen.push(...page.items.map((i) => i.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return seen;
}

describe('search over hundreds of conversations', () => {
  for (const word of Object.keys(WORDS)) {
    it(`R10 R17: "${word}" finds every visible open conversation with it, newest first, page by page`, async () => {
      expect(await allPages(viewers.bob, word)).toEqual(expected(word, viewers.bob));
      expect(await allPages(viewers.alice, word, 10)).toEqual(expected(word, viewers.alice));
    });
  }

  it('R17: a restricted conversation matching only for its listed user stays out of other searches', async () => {
    const secret = ids.get(220)!;
    expect(await allPages(viewers.alice, 'charlie')).toContain(secret);
    expect(await allPages(viewers.bob, 'charlie')).not.toContain(secret);
    expect(await allPages(viewers.carol, 'charlie')).toEqual([]);
  });

  it('R10: closed conversations are searched on request', async () => {
    const all = (
      await searchConversations(db.em(), viewers.bob, { text: 'bravo', status: 'all', limit: 100 })
    ).items;
    expect(all.map((i) => i.id)).toContain(ids.get(91));
    expect(all.find((i) => i.id === ids.get(91))?.status).toBe('closed');
  });

  it('R9: the Team inbox pages through hundreds of conversations without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await teamInbox(db.em(), viewers.bob, { cursor, limit: 40 });
      seen.push(...page.items.filter((i) => i.kind === 'conversation').map((i) => i.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const open: string[] = [];
    for (let n = 1; n <= SIZE; n++) if (!closed(n) && !restricted(n)) open.push(ids.get(n)!);
    expect(seen).toEqual(open);
  });
});
