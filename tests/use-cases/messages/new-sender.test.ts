import { beforeAll, describe, expect, it } from 'vitest';
import { Contact, ContactIdentity, Group } from '../../../src/db/entities/index.ts';
import { openForNewSender } from '../../../src/use-cases/open-for-new-sender.ts';
import { type ReceiveInboundInput, receiveInbound } from '../../../src/use-cases/receive-inbound.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { addEndpoints, conversationRow, ctxAt, newPhone, providerOf, rowsWithout } from './support.ts';

const db = await createTestDb();
let ws: Workspace;
let group: Group;
const endpoint = { whatsapp: 'PNID_NEWSENDER', sms: '+15550008888', webchat: 'site-newsender' } as const;
type Channel = keyof typeof endpoint;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  const em = db.em();
  // A group whose AI agent and auto responder are on: the first message's event says so (R14, R37).
  group = em.create(Group, {
    account: ws.account,
    name: 'First contact',
    aiAgent: { enabled: true, name: 'Ava' },
    autoResponder: { enabled: true, timeZone: 'UTC', hours: {} },
  });
  addEndpoints(em, ws.account, group, endpoint);
  await em.flush();
});

const t0 = new Date('2026-11-20T10:00:00Z');

/** One first message in one world: `fast` lets the one-statement path take it, `full` never does. */
async function firstMessage(
  world: 'fast' | 'full',
  channel: Channel,
  from: string,
  input: Partial<ReceiveInboundInput>,
) {
  const taken: boolean[] = [];
  const result = await receiveInbound(
    ctxAt(db, t0),
    providerOf(channel),
    {
      channel,
      endpointAddress: endpoint[channel],
      from: { address: from, identified: true },
      provider: channel === 'sms' ? 'twilio' : channel === 'webchat' ? 'webchat' : 'meta',
      providerMessageId: `${world}-${from}`,
      text: 'Hello',
      ...input,
    },
    {
      newSender:
        world === 'full'
          ? null
          : async (...args) => {
              const r = await openForNewSender(...args);
              taken.push(r !== null);
              return r;
            },
    },
  );
  return { result, took: taken[0] === true };
}

/** Everything stored for a conversation, without what must differ between two worlds. */
async function stored(conversationId: string) {
  const ofContact = '(select contact_id from conversation where id = ?)';
  const conversation = await conversationRow(db, conversationId);
  const messages = await rowsWithout(
    db,
    'select * from message where conversation_id = ?',
    [conversationId],
    ['id', 'conversation_id', 'provider_message_id'],
  );
  const [contact] = await rowsWithout(
    db,
    `select * from contact where id = ${ofContact}`,
    [conversationId],
    ['id', 'created_at', 'updated_at'],
  );
  const identities = await rowsWithout(
    db,
    `select * from contact_identity where contact_id = ${ofContact} order by channel`,
    [conversationId],
    ['id', 'contact_id', 'address', 'created_at'],
  );
  return { conversation, messages, contact, identities };
}

/** An answer with its own ids named, so two worlds' answers compare. */
function named(r: Awaited<ReturnType<typeof receiveInbound>>) {
  const name = (v: unknown) =>
    v === r.conversationId ? 'the conversation' : v === r.messageId ? 'the message' : v;
  const normal = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, name(v)]));
  return { ...normal(r), events: r.events.map(normal) };
}

describe('a first message from someone nobody knows (R2)', () => {
  const cases: {
    what: string;
    channel: Channel;
    input: Partial<ReceiveInboundInput>;
    fast: boolean;
    known?: Channel;
  }[] = [
    {
      what: 'a WhatsApp text with a profile name',
      channel: 'whatsapp',
      input: { from: { address: '', identified: true, name: 'Nia' } },
      fast: true,
    },
    {
      what: 'a reaction, which asks nothing of the team (R11)',
      channel: 'whatsapp',
      input: { text: '👍', meta: { reaction: '👍' } },
      fast: true,
    },
    {
      what: 'a signed-in webchat visitor with a file still being fetched',
      channel: 'webchat',
      input: {
        from: {
          address: '',
          identified: true,
          portalProfile: { externalId: 'cust-9', name: 'Omar', email: 'o@x.test' },
        },
        text: undefined,
        attachments: [
          { id: 'a1', kind: 'image', status: 'pending', providerRef: 'r1', mimeType: 'image/png' },
        ],
      },
      fast: true,
    },
    {
      what: 'an anonymous webchat visitor',
      channel: 'webchat',
      input: { from: { address: '', identified: false } },
      fast: true,
    },
    // R3: the number is the same person's on another phone channel: not new, the full use-case.
    {
      what: 'an SMS from a number known on WhatsApp',
      channel: 'sms',
      input: {},
      fast: false,
      known: 'whatsapp',
    },
  ];

  for (const c of cases) {
    it(`${c.what}: the one-statement path ${c.fast ? 'stores' : 'leaves to the full use-case'} exactly what the full transaction stores`, async () => {
      const answers = [];
      const rows = [];
      for (const world of ['fast', 'full'] as const) {
        const from = c.channel === 'webchat' ? `session-${world}-${newPhone()}` : newPhone();
        if (c.known) {
          const em = db.em();
          const contact = em.create(Contact, { account: ws.account, name: 'Known Already' });
          em.create(ContactIdentity, { account: ws.account, contact, channel: c.known, address: from });
          await em.flush();
        }
        const input = { ...c.input, ...(c.input.from ? { from: { ...c.input.from, address: from } } : {}) };
        const { result, took } = await firstMessage(world, c.channel, from, input);
        if (world === 'fast') expect(took, 'taken by the one-statement path').toBe(c.fast);
        expect(result.openedConversation).toBe(true);
        answers.push(named(result));
        rows.push(await stored(result.conversationId));
      }
      expect(answers[0]).toEqual(answers[1]);
      expect(rows[0]).toEqual(rows[1]);
      // What the rules say, so the comparison compared something.
      expect(rows[0]!.conversation).toMatchObject({
        status: 'open',
        last_seq: 1,
        ai_state: 'active',
        group_id: group.id,
      });
      expect(answers[0]!.events.map((e) => e.type)).toEqual(['conversation.opened', 'message.created']);
    });
  }

  it('a retry of a first message already stored is not stored again', async () => {
    const from = newPhone();
    const first = await firstMessage('fast', 'whatsapp', from, {});
    const again = await firstMessage('fast', 'whatsapp', from, {});
    expect(again.took).toBe(false);
    expect(again.result).toMatchObject({ duplicate: true, messageId: first.result.messageId });
  });

  it('R2: five first messages from one new number at once make one contact, one conversation and five messages in order', async () => {
    const from = newPhone();
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        receiveInbound(ctxAt(db, t0), providerOf('whatsapp'), {
          channel: 'whatsapp',
          endpointAddress: endpoint.whatsapp,
          from: { address: from, identified: true },
          provider: 'meta',
          providerMessageId: `burst-${from}-${i}`,
          text: `burst ${i}`,
        }),
      ),
    );
    expect(new Set(results.map((r) => r.conversationId)).size).toBe(1);
    expect(results.filter((r) => r.openedConversation)).toHaveLength(1);
    const em = db.em();
    expect(await em.count(ContactIdentity, { channel: 'whatsapp', address: from })).toBe(1);
    const rows = (await em
      .getConnection()
      .execute('select seq, text from message where conversation_id = ? order by seq', [
        results[0]!.conversationId,
      ])) as {
      seq: number;
      text: string;
    }[];
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows.map((r) => r.text).sort()).toEqual(['burst 1', 'burst 2', 'burst 3', 'burst 4', 'burst 5']);
  });
});
