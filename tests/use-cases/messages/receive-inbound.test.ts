import { beforeAll, describe, expect, it } from 'vitest';
import {
  Contact,
  ContactIdentity,
  Conversation,
  Group,
  Message,
  User,
} from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { appendToOpenConversation } from '../../../src/use-cases/append-inbound.ts';
import { type ReceiveInboundInput, receiveInbound } from '../../../src/use-cases/receive-inbound.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import {
  addEndpoints,
  closeDirectly,
  ctxAt,
  customerWrites,
  loadConversation,
  messagesOf,
  newPhone,
  providerOf,
} from './support.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

describe('receive-inbound', () => {
  it('R2: a first message from an unknown number creates the contact and a conversation in the Team inbox of the group owning the number', async () => {
    const phone = newPhone();
    const res = await customerWrites(db, {
      from: phone,
      text: 'Where is my order?',
      extra: { from: { address: phone, identified: true, name: 'Erin' } },
    });
    expect(res.openedConversation).toBe(true);
    expect(res.duplicate).toBe(false);
    const em = db.em();
    const conv = await loadConversation(em, res.conversationId);
    expect(conv.group.id).toBe(ws.group.id);
    expect(conv.status).toBe('open');
    expect(conv.unrepliedCount).toBe(1);
    const identity = await em.findOneOrFail(
      ContactIdentity,
      { channel: 'whatsapp', address: phone },
      { populate: ['contact'] },
    );
    expect(identity.contact.name).toBe('Erin');
    expect(conv.contact.id).toBe(identity.contact.id);
    expect(res.events.map((e) => e.type)).toEqual(['conversation.opened', 'message.created']);
  });

  it('R2: the next message from the same contact joins the open conversation', async () => {
    const phone = newPhone();
    const first = await customerWrites(db, { from: phone, text: 'one' });
    const second = await customerWrites(db, { from: phone, text: 'two' });
    expect(second.conversationId).toBe(first.conversationId);
    expect(second.openedConversation).toBe(false);
    const msgs = await messagesOf(db.em(), first.conversationId);
    expect(msgs.map((m) => [m.seq, m.text])).toEqual([
      [1, 'one'],
      [2, 'two'],
    ]);
  });

  it('R11: messages joining an open conversation wait for a reply from the first one; a reaction asks nothing; a late webhook keeps the inbox order', async () => {
    const phone = newPhone();
    const t0 = new Date('2026-11-20T10:00:00Z');
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    const first = await customerWrites(db, { from: phone, text: 'one', at: at(0) });
    const second = await customerWrites(db, {
      from: phone,
      text: 'two',
      at: at(10),
      extra: {
        attachments: [
          { id: 'a1', kind: 'image', status: 'pending', providerRef: 'm1', mimeType: 'image/jpeg' },
        ],
      },
    });
    expect(second.events).toEqual([
      expect.objectContaining({ type: 'message.created', kind: 'inbound', pendingMedia: true }),
    ]);
    await customerWrites(db, { from: phone, text: '👍', at: at(20), extra: { meta: { reaction: '👍' } } });
    // Meta retried a message the customer wrote before "two": it is stored, but the conversation
    // does not move back in the inbox.
    await customerWrites(db, { from: phone, text: 'zero', at: at(30), extra: { receivedAt: at(5) } });

    const conv = await loadConversation(db.em(), first.conversationId);
    expect(conv).toMatchObject({ lastSeq: 4, unrepliedCount: 3, channel: 'whatsapp' });
    expect(conv.oldestUnrepliedAt).toEqual(at(0));
    expect(conv.lastMessageAt).toEqual(at(20));
    expect(conv.lastInboundAt).toEqual(at(5));
    const msgs = await messagesOf(db.em(), first.conversationId);
    expect(msgs.map((m) => [m.seq, m.text, m.awaitingReply, m.endpoint?.id])).toEqual([
      [1, 'one', true, ws.whatsapp.id],
      [2, 'two', true, ws.whatsapp.id],
      [3, '👍', false, ws.whatsapp.id],
      [4, 'zero', true, ws.whatsapp.id],
    ]);
    expect(msgs[1]!.attachments).toEqual([expect.objectContaining({ providerRef: 'm1', status: 'pending' })]);
    expect(msgs[2]!.meta).toEqual({ reaction: '👍' });
    expect(msgs[3]!.createdAt).toEqual(at(5));
  });

  it("R2: a message to another group's number goes to that group, in a separate conversation", async () => {
    const phone = newPhone();
    const support = await customerWrites(db, { from: phone });
    const sales = await customerWrites(db, { from: phone, endpointAddress: 'PNID_SALES' });
    expect(sales.conversationId).not.toBe(support.conversationId);
    const conv = await loadConversation(db.em(), sales.conversationId);
    expect(conv.group.id).toBe(ws.otherGroup.id);
    // One contact, one identity: the same person wrote to two teams.
    expect(await db.em().count(ContactIdentity, { address: phone, channel: 'whatsapp' })).toBe(1);
  });

  it('R2: a message to a number Parley does not know is refused as not found, and nothing is written', async () => {
    const phone = newPhone();
    const attempt = customerWrites(db, { from: phone, endpointAddress: 'PNID_UNKNOWN' });
    await expect(attempt).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('PNID_UNKNOWN'),
    });
    expect(await db.em().count(ContactIdentity, { address: phone })).toBe(0);
  });

  it('R3: a first SMS from the number a contact uses on WhatsApp is the same contact and joins their open conversation', async () => {
    const phone = newPhone();
    const wa = await customerWrites(db, { from: phone, channel: 'whatsapp' });
    const sms = await customerWrites(db, { from: phone, channel: 'sms' });
    expect(sms.conversationId).toBe(wa.conversationId);
    const ids = await db.em().find(ContactIdentity, { address: phone }, { orderBy: { channel: 'asc' } });
    expect(ids.map((i) => i.channel)).toEqual(['sms', 'whatsapp']);
    expect(ids[0]!.contact.id).toBe(ids[1]!.contact.id);
    expect((await loadConversation(db.em(), wa.conversationId)).channel).toBe('sms');
  });

  it('R3: with identities on WhatsApp, SMS and webchat, every message joins one conversation whose channel and endpoint follow the latest inbound', async () => {
    const em = db.em();
    const phone = newPhone();
    const contact = em.create(Contact, {
      account: ws.account,
      name: 'Omni',
      portalProfile: { externalId: 'p-omni' },
    });
    em.create(ContactIdentity, { account: ws.account, contact, channel: 'whatsapp', address: phone });
    em.create(ContactIdentity, { account: ws.account, contact, channel: 'sms', address: phone });
    em.create(ContactIdentity, {
      account: ws.account,
      contact,
      channel: 'webchat',
      address: 'portal:p-omni',
    });
    await em.flush();

    const a = await customerWrites(db, { from: phone, channel: 'whatsapp' });
    let conv = await loadConversation(db.em(), a.conversationId);
    expect([conv.channel, conv.endpoint?.id]).toEqual(['whatsapp', ws.whatsapp.id]);

    const b = await customerWrites(db, { from: phone, channel: 'sms' });
    conv = await loadConversation(db.em(), a.conversationId);
    expect(b.conversationId).toBe(a.conversationId);
    expect([conv.channel, conv.endpoint?.id]).toEqual(['sms', ws.sms.id]);

    const c = await customerWrites(db, { from: 'portal:p-omni', channel: 'webchat' });
    conv = await loadConversation(db.em(), a.conversationId);
    expect(c.conversationId).toBe(a.conversationId);
    expect([conv.channel, conv.endpoint?.id]).toEqual(['webchat', ws.webchat.id]);
    expect(await db.em().count(Conversation, { contact })).toBe(1);
  });

  it('R4: Unicode text with emoji and attachments (image, location) arrive unchanged', async () => {
    const text = 'Ça marche? 👍🏽 日本語 — שלום';
    const attachments = [
      {
        id: 'media-1',
        kind: 'image' as const,
        mimeType: 'image/jpeg',
        name: 'photo.jpg',
        caption: 'the box 📦',
      },
      { id: 'loc-1', kind: 'location' as const, latitude: 48.8566, longitude: 2.3522 },
    ];
    const res = await customerWrites(db, { from: newPhone(), text, extra: { attachments } });
    const msg = await db.em().findOneOrFail(Message, { id: res.messageId });
    expect(msg.text).toBe(text);
    expect(msg.attachments).toEqual(attachments);
  });

  it('R4: a message with an attachment and no text is accepted; one with neither is refused', async () => {
    const ok = await customerWrites(db, {
      from: newPhone(),
      text: '',
      extra: { attachments: [{ id: 'a', kind: 'audio', mimeType: 'audio/ogg' }] },
    });
    expect(ok.messageId).toBeTruthy();
    await expect(customerWrites(db, { from: newPhone(), text: '   ' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });

  it('a provider retry: the same provider message id delivered twice gives one message', async () => {
    const phone = newPhone();
    const first = await customerWrites(db, { from: phone, providerMessageId: 'wamid.SEQ-1' });
    const again = await customerWrites(db, { from: phone, providerMessageId: 'wamid.SEQ-1' });
    expect(again).toMatchObject({
      duplicate: true,
      messageId: first.messageId,
      conversationId: first.conversationId,
    });
    expect(again.events).toEqual([]);
    expect(await db.em().count(Message, { providerMessageId: 'wamid.SEQ-1' })).toBe(1);
  });

  it('a provider retry: the same provider message id delivered concurrently gives one message', async () => {
    const phone = newPhone();
    await customerWrites(db, { from: phone, text: 'earlier' });
    // Several rounds: the retries race for the conversation's row lock, and the losers must find
    // the winner's message rather than fail (a 5xx makes Meta retry yet again).
    for (let round = 0; round < 5; round++) {
      const id = `wamid.CONC-${round}`;
      const results = await Promise.all(
        Array.from({ length: 8 }, () => customerWrites(db, { from: phone, providerMessageId: id })),
      );
      expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(await db.em().count(Message, { providerMessageId: id })).toBe(1);
    }
  });

  it('R2: concurrent first messages from a new contact open one conversation with all messages in it', async () => {
    const phone = newPhone();
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => customerWrites(db, { from: phone, text: `burst ${i}` })),
    );
    expect(new Set(results.map((r) => r.conversationId)).size).toBe(1);
    expect(results.filter((r) => r.openedConversation)).toHaveLength(1);
    const em = db.em();
    expect(
      await em.count(Contact, {
        id: (await em.findOneOrFail(ContactIdentity, { address: phone })).contact.id,
      }),
    ).toBe(1);
    const msgs = await messagesOf(em, results[0]!.conversationId);
    expect(msgs.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await loadConversation(em, results[0]!.conversationId)).unrepliedCount).toBe(5);
  });

  it("R16: a new inbound conversation from an identified contact is assigned to the contact's default assignees", async () => {
    const phone = newPhone();
    await customerWrites(db, { from: phone });
    const em = db.em();
    const identity = await em.findOneOrFail(ContactIdentity, { address: phone }, { populate: ['contact'] });
    identity.contact.defaultAssigneeIds = [ws.alice.id, ws.bob.id];
    const open = await em.findOneOrFail(Conversation, { contact: identity.contact, status: 'open' });
    open.status = 'closed';
    await em.flush();

    const next = await customerWrites(db, { from: phone });
    expect((await loadConversation(db.em(), next.conversationId)).assigneeIds).toEqual([
      ws.alice.id,
      ws.bob.id,
    ]);
  });

  it('R16: an anonymous webchat visitor gets no default assignees (only identified contacts do)', async () => {
    const em = db.em();
    const contact = em.create(Contact, { account: ws.account, defaultAssigneeIds: [ws.alice.id] });
    em.create(ContactIdentity, {
      account: ws.account,
      contact,
      channel: 'webchat',
      address: 'session:anon-1',
      identified: false,
    });
    await em.flush();
    const res = await customerWrites(db, { channel: 'webchat', from: 'session:anon-1', identified: false });
    expect((await loadConversation(db.em(), res.conversationId)).assigneeIds).toEqual([]);
  });

  it("R19: a new inbound conversation takes the contact's default visibility (and R18 keeps assignees inside it)", async () => {
    const em = db.em();
    const phone = newPhone();
    const contact = em.create(Contact, {
      account: ws.account,
      defaultVisibleToIds: [ws.alice.id],
      defaultAssigneeIds: [ws.alice.id, ws.bob.id],
    });
    em.create(ContactIdentity, { account: ws.account, contact, channel: 'whatsapp', address: phone });
    await em.flush();
    const res = await customerWrites(db, { from: phone });
    const conv = await loadConversation(db.em(), res.conversationId);
    expect(conv.visibleToIds).toEqual([ws.alice.id]);
    expect(conv.assigneeIds).toEqual([ws.alice.id]);
  });

  it('R22: after the conversation is closed, the next inbound message opens a new conversation with a new number', async () => {
    const phone = newPhone();
    const first = await customerWrites(db, { from: phone });
    await closeDirectly(db, first.conversationId);
    const next = await customerWrites(db, { from: phone, text: 'back again' });
    expect(next.openedConversation).toBe(true);
    expect(next.conversationId).not.toBe(first.conversationId);
    const em = db.em();
    const [a, b] = [
      await loadConversation(em, first.conversationId),
      await loadConversation(em, next.conversationId),
    ];
    expect(b.number).toBeGreaterThan(a.number);
    expect(a.lastSeq).toBe(1);
    expect(a.status).toBe('closed');
  });

  it('R33: a provider of another channel cannot deliver messages for this one', async () => {
    const attempt = receiveInbound(ctxAt(db), providerOf('sms'), {
      channel: 'whatsapp',
      endpointAddress: 'PNID_SUPPORT',
      from: { address: newPhone(), identified: true },
      provider: 'meta',
      providerMessageId: 'wamid.FORGED',
      text: 'hi',
    });
    await expect(attempt).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('receive-inbound: the one-statement path and the full use-case', () => {
  /**
   * Two worlds set up identically (a group with an AI agent, a WhatsApp and an SMS number, a
   * known contact on both): in one, messages take the one-statement path whenever it applies; in
   * the other, the shortcut is off and every message takes the full transaction. After every
   * message both worlds must hold the same rows and have answered the same.
   */
  it('R11, R3: the same messages through the one-statement path and through the full transaction leave the same conversation, messages and counters, and answer the same events', async () => {
    const em = db.em();
    const group = em.create(Group, {
      account: ws.account,
      name: 'Parity',
      slackChannelId: 'C_PARITY',
      aiAgent: { enabled: true, name: 'Ava' },
    });
    const agent = em.create(User, {
      account: ws.account,
      name: 'Pat',
      email: 'pat@acme.test',
      role: 'agent',
      groupIds: [group.id],
    });
    const endpoint = { whatsapp: 'PNID_PARITY', sms: '+15550009999' } as const;
    addEndpoints(em, ws.account, group, endpoint);
    const world = (name: 'fast' | 'full') => {
      const phone = newPhone();
      const contact = em.create(Contact, { account: ws.account, name: 'Erin Parity', tags: ['vip'] });
      for (const channel of ['whatsapp', 'sms'])
        em.create(ContactIdentity, { account: ws.account, contact, channel, address: phone });
      /** For each message: whether the one-statement path stored it. */
      const tookShortcut: boolean[] = [];
      return { name, phone, contact, tookShortcut, conversationId: '' };
    };
    const fast = world('fast');
    const full = world('full');
    await em.flush();

    const t0 = new Date('2026-11-20T10:00:00Z');
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    type Step = {
      /** The webhook's clock. */
      now: Date;
      channel?: 'whatsapp' | 'sms';
      /** The provider's message id (a repeated one is a provider's retry). */
      id: string;
      input?: Partial<ReceiveInboundInput>;
      /** Whether, in the fast world, the one-statement path is the one to take it. */
      shortcut: boolean;
    };
    const steps: (Step | { reply: string; now: Date })[] = [
      { now: at(0), id: 'm1', input: { text: 'Where is my order?' }, shortcut: false },
      {
        now: at(10),
        id: 'm2',
        input: {
          text: 'It looks like this 📦',
          attachments: [
            { id: 'a1', kind: 'image', status: 'pending', providerRef: 'media-1', mimeType: 'image/jpeg' },
            { id: 'a2', kind: 'location', latitude: 48.8566, longitude: 2.3522, caption: 'here' },
          ],
        },
        shortcut: true,
      },
      {
        now: at(15),
        id: 'm3',
        input: {
          text: undefined,
          attachments: [
            { id: 'a3', kind: 'document', name: 'invoice.pdf', status: 'stored', storageKey: 'k3' },
          ],
        },
        shortcut: true,
      },
      // A reaction asks nothing of the team (R11).
      { now: at(20), id: 'm4', input: { text: '👍', meta: { reaction: '👍' } }, shortcut: true },
      // A late webhook: the customer wrote it before m2; the inbox order must not move back.
      { now: at(30), id: 'm5', input: { text: 'late one', receivedAt: at(5) }, shortcut: true },
      // A provider clock ahead of ours: never stored in the future.
      { now: at(40), id: 'm6', input: { text: 'from the future', receivedAt: at(3600) }, shortcut: true },
      // The same contact on SMS: the conversation's channel and endpoint follow (R3).
      {
        now: at(50),
        id: 'm7',
        channel: 'sms',
        input: { text: 'by text', meta: { smsSegments: 1 } },
        shortcut: true,
      },
      // The provider delivers m2 again: nothing is written, the first one is named.
      { now: at(60), id: 'm2', input: { text: 'It looks like this 📦' }, shortcut: false },
      { reply: 'On its way!', now: at(70) },
      // After a reply, the next message waits from its own time.
      { now: at(80), id: 'm8', input: { text: 'Thanks, and one more thing' }, shortcut: true },
      { now: at(90), id: 'm9', input: { text: '❤️', meta: { reaction: '❤️' } }, shortcut: true },
    ];

    const send = (w: typeof fast, step: Step) => {
      const channel = step.channel ?? 'whatsapp';
      return receiveInbound(
        ctxAt(db, step.now),
        providerOf(channel),
        {
          channel,
          endpointAddress: endpoint[channel],
          from: { address: w.phone, identified: true, name: 'Erin Parity' },
          provider: channel === 'sms' ? 'twilio' : 'meta',
          providerMessageId: `${w.name}-${step.id}`,
          text: 'Hello',
          ...step.input,
        },
        {
          shortcut:
            w === full
              ? null
              : async (...args) => {
                  const taken = await appendToOpenConversation(...args);
                  w.tookShortcut.push(taken !== null);
                  return taken;
                },
        },
      );
    };

    /** A world's answer with its ids replaced by what they point at. */
    const seqs = async (conversationId: string) =>
      new Map((await messagesOf(db.em(), conversationId)).map((m) => [m.id, m.seq]));
    const answered = async (w: typeof fast, result: Awaited<ReturnType<typeof send>>) => {
      const seqOf = await seqs(w.conversationId);
      const named = (v: unknown) =>
        v === w.conversationId
          ? 'the conversation'
          : seqOf.has(String(v))
            ? `message ${seqOf.get(String(v))}`
            : v;
      const normal = (o: object) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, named(v)]));
      return { ...normal(result), events: result.events.map(normal) };
    };
    /** A world's rows, every column, without the ones that must differ between worlds. */
    const rows = async (w: typeof fast) => {
      const sql = db.em().getConnection();
      const [conversation] = await sql.execute('select * from conversation where id = ?', [w.conversationId]);
      const { id, number, contact_id, updated_at, ...conv } = conversation as Record<string, unknown>;
      expect([id, contact_id]).toEqual([w.conversationId, w.contact.id]);
      const messages = (
        (await sql.execute('select * from message where conversation_id = ? order by seq', [
          w.conversationId,
        ])) as Record<string, unknown>[]
      ).map(({ id: _id, conversation_id: _c, provider_message_id, ...m }) => ({
        ...m,
        provider_message_id: String(provider_message_id).replace(`${w.name}-`, ''),
      }));
      const [contact] = await sql.execute('select * from contact where id = ?', [w.contact.id]);
      const {
        id: _contactId,
        created_at: _cc,
        updated_at: _cu,
        ...person
      } = contact as Record<string, unknown>;
      const identities = (
        (await sql.execute('select * from contact_identity where contact_id = ? order by channel', [
          w.contact.id,
        ])) as Record<string, unknown>[]
      ).map(({ id: _i, contact_id: _ci, address: _a, created_at: _ic, ...i }) => i);
      return { conv, messages, person, identities };
    };

    let compared = 0;
    for (const step of steps) {
      if ('reply' in step) {
        for (const w of [fast, full])
          await sendReply(ctxAt(db, step.now), userActor(agent.id), {
            conversationId: w.conversationId,
            text: step.reply,
          });
      } else {
        const fastResult = await send(fast, step);
        const fullResult = await send(full, step);
        fast.conversationId ||= fastResult.conversationId;
        full.conversationId ||= fullResult.conversationId;
        expect(fast.tookShortcut.at(-1), `${step.id} through the fast world`).toBe(step.shortcut);
        expect(await answered(fast, fastResult), `the answers to ${step.id}`).toEqual(
          await answered(full, fullResult),
        );
      }
      expect(await rows(fast), `the rows after ${'reply' in step ? 'the reply' : step.id}`).toEqual(
        await rows(full),
      );
      compared++;
    }
    expect(compared).toBe(steps.length);

    // The worlds agree, and on what the rules say (R11, R3): a sanity check that the comparison
    // compared something.
    const conv = await loadConversation(db.em(), fast.conversationId);
    expect(conv).toMatchObject({
      lastSeq: 10,
      unrepliedCount: 1,
      channel: 'whatsapp',
      aiState: 'active',
      group: { id: group.id },
    });
    expect(conv.oldestUnrepliedAt).toEqual(at(80));
    expect(conv.lastMessageAt).toEqual(at(90));
    expect(conv.lastInboundAt).toEqual(at(90));
    const msgs = await messagesOf(db.em(), fast.conversationId);
    expect(msgs.map((m) => [m.seq, m.kind, m.awaitingReply, m.createdAt.getTime() - t0.getTime()])).toEqual([
      [1, 'inbound', false, 0],
      [2, 'inbound', false, 10_000],
      [3, 'inbound', false, 15_000],
      [4, 'inbound', false, 20_000],
      [5, 'inbound', false, 5_000],
      [6, 'inbound', false, 40_000],
      [7, 'inbound', false, 50_000],
      [8, 'reply', false, 70_000],
      [9, 'inbound', true, 80_000],
      [10, 'inbound', false, 90_000],
    ]);
  });
});
