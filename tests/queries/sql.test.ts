import { describe, expect, it } from 'vitest';
import { searchConversations } from '../../src/queries/search-conversations.ts';
import { join, sql } from '../../src/queries/sql.ts';
import { createTestDb } from '../support/test-db.ts';
import { clock, seedConversation, workspace } from './support.ts';

describe('sql fragments', () => {
  it('R33: values become placeholders, nested fragments keep their parameters in order', () => {
    const inner = sql`b = ${2}`;
    const q = sql`select 1 where a = ${'x'} and ${inner} and ${join([sql`c = ${3}`, sql`d = ${4}`], 'or')}`;
    expect(q.text).toBe('select 1 where a = ? and b = ? and (c = ?) or (d = ?)');
    expect(q.params).toEqual(['x', 2, 3, 4]);
  });

  it('R33: a literal question mark or an empty list is refused before it can misalign parameters', () => {
    expect(() => sql`select '?'`).toThrow(/literal/);
    expect(() => sql`select 1 where id in (${[]})`).toThrow(/empty list/);
  });
});

describe('user input stays data', async () => {
  const db = await createTestDb();
  const { ws, viewers } = await workspace(db);
  const conv = await seedConversation(db, ws, clock(), {
    contactName: "O'Brien",
    messages: [{ kind: 'inbound', text: "it's the 'quoted' order" }],
  });

  it('R10: quotes and SQL in filters are matched as text, never run', async () => {
    const hostile = "x'); delete from conversation; --";
    for (const query of [{ text: hostile }, { contactName: hostile }, { channel: "x'? or 1=1 --" }]) {
      expect((await searchConversations(db.em(), viewers.alice, query)).items).toEqual([]);
    }
    expect((await searchConversations(db.em(), viewers.alice, { contactName: "o'brien" })).items[0]?.id).toBe(
      conv.id,
    );
    expect((await searchConversations(db.em(), viewers.alice, { text: "'quoted'" })).items[0]?.id).toBe(
      conv.id,
    );
    expect((await searchConversations(db.em(), viewers.alice, {})).items).toHaveLength(1);
  });
});
