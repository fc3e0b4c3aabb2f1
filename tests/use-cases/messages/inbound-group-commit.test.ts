import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Contact, ContactIdentity, Message } from '../../../src/db/entities/index.ts';
import { createInboundGroupCommit } from '../../../src/http/webhooks/inbound-group-commit.ts';
import type { InboundShortcut } from '../../../src/use-cases/append-inbound.ts';
import { type ReceiveInboundInput, receiveInbound } from '../../../src/use-cases/receive-inbound.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import {
  ctxAt,
  customerWrites,
  loadConversation,
  messagesOf,
  newPhone,
  providerOf,
  recordedGroupCommit,
} from './support.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

function groupCommit() {
  const recorded = recordedGroupCommit(db);
  return { ...recorded, shortcut: createInboundGroupCommit(recorded.options) };
}

/** A known contact with an open conversation in the Support group, on WhatsApp. */
async function knownContact(name = 'Erin', at?: Date) {
  const phone = newPhone();
  const em = db.em();
  const contact = em.create(Contact, { account: ws.account, name });
  em.create(ContactIdentity, { account: ws.account, contact, channel: 'whatsapp', address: phone });
  await em.flush();
  const from = { address: phone, identified: true, name };
  const first = await customerWrites(db, { from: phone, text: 'first', at, extra: { from } });
  return { phone, conversationId: first.conversationId };
}

/** A WhatsApp webhook's message, as ingest passes it to receiveInbound. */
const webhook = (
  shortcut: InboundShortcut | null,
  phone: string,
  input: Partial<ReceiveInboundInput> = {},
  now?: Date,
) =>
  receiveInbound(
    ctxAt(db, now),
    providerOf('whatsapp'),
    {
      channel: 'whatsapp',
      endpointAddress: 'PNID_SUPPORT',
      from: { address: phone, identified: true, name: 'Erin' },
      provider: 'meta',
      providerMessageId: `wamid.${randomUUID()}`,
      text: 'Hello',
      ...input,
    },
    { shortcut },
  );

const texts = async (conversationId: string) =>
  (await messagesOf(db.em(), conversationId)).map((m) => [m.seq, m.text]);

describe('webhook messages written together (group commit)', () => {
  it('R11, R3: messages written in one batch leave the same conversation, messages and counters as the same messages written one by one', async () => {
    const gc = groupCommit();
    const t0 = new Date('2026-11-20T10:00:00Z');
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    const batched = await knownContact('Erin', t0);
    const alone = await knownContact('Erin', t0);
    const blocker = await knownContact('Blocker');
    const steps: { id: string; input: Partial<ReceiveInboundInput> }[] = [
      {
        id: 'm2',
        input: {
          text: 'It looks like this 📦',
          attachments: [
            { id: 'a1', kind: 'image', status: 'pending', providerRef: 'media-1', mimeType: 'image/jpeg' },
          ],
        },
      },
      {
        id: 'm3',
        input: {
          text: undefined,
          attachments: [{ id: 'a3', kind: 'document', name: 'x.pdf', status: 'stored', storageKey: 'k3' }],
        },
      },
      { id: 'm4', input: { text: '👍', meta: { reaction: '👍' } } },
      { id: 'm5', input: { text: 'late one', receivedAt: at(5) } },
      { id: 'm2', input: { text: 'It looks like this 📦' } },
      { id: 'm6', input: { text: 'from the future', receivedAt: at(3600) } },
    ];
    const send = (
      shortcut: InboundShortcut | null,
      who: typeof batched,
      name: string,
      s: (typeof steps)[number],
    ) => webhook(shortcut, who.phone, { providerMessageId: `${name}-${s.id}`, ...s.input }, at(10));

    // The batch: a first message elsewhere is written alone at once; these six wait and go together.
    const first = webhook(gc.shortcut, blocker.phone);
    const together = await Promise.all(steps.map((s) => send(gc.shortcut, batched, 'batched', s)));
    await first;
    expect(gc.batches).toEqual([1, 6]);
    expect(gc.failures).toEqual([]);
    const oneByOne = [];
    for (const s of steps) oneByOne.push(await send(null, alone, 'alone', s));

    const seqOf = async (conversationId: string) =>
      new Map((await messagesOf(db.em(), conversationId)).map((m) => [m.id, m.seq]));
    const answers = async (conversationId: string, results: typeof together) => {
      const seqs = await seqOf(conversationId);
      const name = (v: unknown) =>
        v === conversationId ? 'conv' : seqs.has(String(v)) ? `#${seqs.get(String(v))}` : v;
      const plain = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, name(v)]));
      return results.map((r) => ({ ...plain(r), events: r.events.map(plain) }));
    };
    expect(await answers(batched.conversationId, together)).toEqual(
      await answers(alone.conversationId, oneByOne),
    );

    const rows = async (conversationId: string, name: string) => {
      const sql = db.em().getConnection();
      const [conv] = await sql.execute('select * from conversation where id = ?', [conversationId]);
      // updated_at is the ORM's clock on the full path, the webhook's in the batch.
      const { id: _i, number: _n, contact_id: _c, updated_at: _u, ...rest } = conv as Record<string, unknown>;
      const messages = (
        (await sql.execute('select * from message where conversation_id = ? order by seq', [
          conversationId,
        ])) as Record<string, unknown>[]
      ).map(({ id: _id, conversation_id: _cid, provider_message_id, ...m }) => ({
        ...m,
        provider_message_id: m.seq === 1 ? 'first' : String(provider_message_id).replace(`${name}-`, ''),
      }));
      return { conv: rest, messages };
    };
    expect(await rows(batched.conversationId, 'batched')).toEqual(await rows(alone.conversationId, 'alone'));
    expect(await texts(batched.conversationId)).toEqual([
      [1, 'first'],
      [2, 'It looks like this 📦'],
      [3, null],
      [4, '👍'],
      [5, 'late one'],
      [6, 'from the future'],
    ]);
    const conv = await loadConversation(db.em(), batched.conversationId);
    // R11: five messages ask for a reply (not the reaction, not the retry), counted from the first.
    expect(conv.unrepliedCount).toBe(5);
    expect(conv.oldestUnrepliedAt).toEqual(t0);
    // The late one does not move the inbox order back; the one from the future is not stored ahead.
    expect(conv.lastMessageAt).toEqual(at(10));
    expect(together[4]).toMatchObject({ duplicate: true, messageId: together[0]!.messageId, events: [] });
  });

  it('a batch where one message violates a constraint: the others are stored in arrival order, that one alone takes the slow path, and every request gets its own answer', async () => {
    const gc = groupCommit();
    const [a, b, c, blocker] = [
      await knownContact('A'),
      await knownContact('B'),
      await knownContact('C'),
      await knownContact('Blocker'),
    ];
    const sql = db.em().getConnection();
    // Stands for any row PostgreSQL refuses (a constraint), which fails the whole statement.
    await sql.execute(`alter table message add constraint no_poison check (text is distinct from 'poison')`);
    try {
      const first = webhook(gc.shortcut, blocker.phone);
      const results = await Promise.allSettled([
        webhook(gc.shortcut, a.phone, { text: 'a1' }),
        webhook(gc.shortcut, b.phone, { text: 'poison' }),
        webhook(gc.shortcut, c.phone, { text: 'c1' }),
        webhook(gc.shortcut, a.phone, { text: 'a2' }),
        webhook(gc.shortcut, a.phone, { text: 'a3' }),
      ]);
      await first;
      expect(gc.batches).toEqual([1, 5]);
      expect(gc.failures).toEqual([expect.stringContaining('no_poison')]);
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      const stored = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const byId = async (id: string) => (await db.em().findOneOrFail(Message, { id })).text;
      expect(await Promise.all(stored.map((r) => byId(r.messageId)))).toEqual(['a1', 'c1', 'a2', 'a3']);
      expect(stored.map((r) => r.duplicate)).toEqual([false, false, false, false]);
      expect(await texts(a.conversationId)).toEqual([
        [1, 'first'],
        [2, 'a1'],
        [3, 'a2'],
        [4, 'a3'],
      ]);
      expect(await texts(b.conversationId)).toEqual([[1, 'first']]);
      expect(await texts(c.conversationId)).toEqual([
        [1, 'first'],
        [2, 'c1'],
      ]);
      expect((await loadConversation(db.em(), b.conversationId)).lastSeq).toBe(1);
    } finally {
      await sql.execute('alter table message drop constraint no_poison');
    }
  });

  it('a provider retrying the same message inside one batch and across two web processes at once: one message, every answer names it', async () => {
    const one = groupCommit();
    const two = groupCommit();
    const known = await knownContact('Kim');
    const newcomer = newPhone();
    const [b1, b2] = [await knownContact('B1'), await knownContact('B2')];
    const x = `wamid.${randomUUID()}`;
    const y = `wamid.${randomUUID()}`;
    const firsts = [webhook(one.shortcut, b1.phone), webhook(two.shortcut, b2.phone)];
    const results = await Promise.all([
      webhook(one.shortcut, known.phone, { providerMessageId: x, text: 'x' }),
      webhook(one.shortcut, known.phone, { providerMessageId: x, text: 'x' }),
      webhook(one.shortcut, newcomer, { providerMessageId: y, text: 'y' }),
      webhook(two.shortcut, known.phone, { providerMessageId: x, text: 'x' }),
      webhook(two.shortcut, newcomer, { providerMessageId: y, text: 'y' }),
      webhook(two.shortcut, newcomer, { providerMessageId: y, text: 'y' }),
    ]);
    await Promise.all(firsts);
    expect(one.batches).toEqual([1, 3]);
    expect(two.batches).toEqual([1, 3]);
    const stored = await db.em().find(Message, { providerMessageId: { $in: [x, y] } });
    expect(stored.map((m) => m.text).sort()).toEqual(['x', 'y']);
    const idOf = Object.fromEntries(stored.map((m) => [m.providerMessageId, m.id]));
    expect(results.map((r) => r.messageId)).toEqual([idOf[x], idOf[x], idOf[y], idOf[x], idOf[y], idOf[y]]);
    // Each message was new to exactly one request; the others were told they repeat it.
    const xs = [results[0]!, results[1]!, results[3]!];
    const ys = [results[2]!, results[4]!, results[5]!];
    expect(xs.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(ys.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await texts(known.conversationId)).toEqual([
      [1, 'first'],
      [2, 'x'],
    ]);
  });
});
