import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AutoResponderSettings,
  ChannelEndpoint,
  Conversation,
  Group,
  Message,
} from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { autoRespond } from '../../src/use-cases/auto-respond.ts';
import { recordOptChange } from '../../src/use-cases/record-opt-change.ts';
import { sendReply } from '../../src/use-cases/send-reply.ts';
import { startConversation } from '../../src/use-cases/start-conversation.ts';
import { seedContact, seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestDb } from '../support/test-db.ts';
import { closeDirectly, ctxAt, customerWrites, loadConversation, providerOf } from './messages/support.ts';

const db = await createTestDb();
let ws: Workspace;

const AWAY = 'We are closed now; we answer on weekdays from 9:00 (Berlin time).';
const HELLO = 'Welcome to Acme! A person will answer you here.';
const office = { from: '09:00', to: '17:00' };
/** Support: Berlin office hours on weekdays, Christmas off, an away message and a greeting. */
const support: AutoResponderSettings = {
  enabled: true,
  timeZone: 'Europe/Berlin',
  hours: { mon: [office], tue: [office], wed: [office], thu: [office], fri: [office] },
  holidays: ['2026-12-25'],
  awayMessage: AWAY,
  greeting: HELLO,
};

const utc = (iso: string) => new Date(`${iso}Z`);
const minutesAfter = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);
/** Monday 2 March 2026, 11:00 in Berlin: open. */
const MON_OPEN = utc('2026-03-02T10:00:00');
/** Monday 2 March 2026, 19:00 in Berlin: closed. */
const MON_CLOSED = utc('2026-03-02T18:00:00');

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  const em = db.em();
  await em.nativeUpdate(Group, { id: ws.group.id }, { autoResponder: support });
  // Night: always closed, no greeting, a short interval. Bots: an AI agent answers its customers.
  const night = em.create(Group, {
    account: ws.account,
    name: 'Night',
    autoResponder: {
      enabled: true,
      timeZone: 'Asia/Kolkata',
      hours: {},
      awayMessage: 'Night away',
      intervalMinutes: 30,
    },
  });
  const bots = em.create(Group, {
    account: ws.account,
    name: 'Bots',
    aiAgent: { enabled: true, name: 'Parley AI' },
    autoResponder: { enabled: true, timeZone: 'UTC', hours: {}, awayMessage: 'Bots away' },
  });
  em.create(ChannelEndpoint, {
    account: ws.account,
    group: night,
    channel: 'whatsapp',
    address: 'PNID_NIGHT',
    name: 'Night',
  });
  em.create(ChannelEndpoint, {
    account: ws.account,
    group: bots,
    channel: 'whatsapp',
    address: 'PNID_BOTS',
    name: 'Bots',
  });
  await em.flush();
});

/** The auto responder's look at a conversation at `at` (the job's time), woken by `messageId`. */
const look = (conversationId: string, at: Date, messageId?: string, dispatch?: UseCaseDispatch) =>
  autoRespond({ ...ctxAt(db, at), dispatch }, conversationId, { messageId });
type UseCaseDispatch = (events: DomainEvent[]) => Promise<void>;

const autoMessages = (conversationId: string) =>
  db.em().find(Message, { conversation: conversationId, kind: 'auto_response' }, { orderBy: { seq: 'asc' } });

/** A contact who wrote to Sales in January: not a first-time contact anywhere. */
async function returningContact() {
  const { phone, contact } = await seedContact(db.em(), ws.account);
  await customerWrites(db, { from: phone, endpointAddress: 'PNID_SALES', at: utc('2026-01-05T10:00:00') });
  return { phone, contact };
}

/** A contact Parley has never heard from. */
const newContact = () => seedContact(db.em(), ws.account);

describe('auto responder (R37)', () => {
  it('R37: inside business hours nothing is sent, and the look is recorded', async () => {
    const { phone } = await returningContact();
    const inbound = await customerWrites(db, { from: phone, at: MON_OPEN, text: 'Where is my parcel?' });
    const res = await look(inbound.conversationId, MON_OPEN, inbound.messageId);
    expect(res).toMatchObject({ sent: false, messageId: null, reason: 'nothing_due' });
    expect(res.events).toEqual([]);
    expect(await autoMessages(inbound.conversationId)).toEqual([]);
    expect((await loadConversation(db.em(), inbound.conversationId)).autoCheckedAt).toEqual(MON_OPEN);
  });

  it('R37, R11: outside business hours the away message is queued on the conversation’s channel, and the customer’s message stays unreplied', async () => {
    const { phone } = await returningContact();
    const inbound = await customerWrites(db, { from: phone, at: MON_CLOSED, text: 'Anyone there?' });
    const id = inbound.conversationId;
    const before = await loadConversation(db.em(), id);
    expect([before.unrepliedCount, before.oldestUnrepliedAt]).toEqual([1, MON_CLOSED]);

    const lookAt = minutesAfter(MON_CLOSED, 0.5);
    const dispatched: DomainEvent[] = [];
    const res = await look(id, lookAt, inbound.messageId, async (e) => {
      dispatched.push(...e);
    });
    expect(res).toMatchObject({ sent: true, auto: 'away' });
    const [auto, ...more] = await autoMessages(id);
    expect(more).toEqual([]);
    expect(auto).toMatchObject({
      id: res.messageId,
      text: AWAY,
      author: null,
      deliveryState: 'queued',
      channel: 'whatsapp',
      meta: { auto: 'away' },
      createdAt: lookAt,
    });
    expect(auto!.endpoint?.id).toBe(ws.whatsapp.id);
    // The event that wakes delivery and mirroring went to the dispatcher after the commit.
    const created = {
      type: 'message.created',
      conversationId: id,
      groupId: ws.group.id,
      messageId: auto!.id,
      kind: 'auto_response',
    };
    expect(res.events).toEqual([created]);
    expect(dispatched).toEqual([created]);

    // R11: an auto-response is not a reply; the customer still waits, since the same time.
    const after = await loadConversation(db.em(), id);
    expect([after.unrepliedCount, after.oldestUnrepliedAt, after.autoCheckedAt]).toEqual([
      1,
      MON_CLOSED,
      lookAt,
    ]);
    expect((await db.em().findOneOrFail(Message, inbound.messageId)).awaitingReply).toBe(true);
  });

  it('R37: at most one automatic message per conversation per interval (240 minutes by default)', async () => {
    const { phone } = await returningContact();
    const first = await customerWrites(db, { from: phone, at: MON_CLOSED });
    const id = first.conversationId;
    expect((await look(id, MON_CLOSED, first.messageId)).sent).toBe(true);

    // 3 h 59 min later (23:59 in Berlin, still closed): within the interval, nothing.
    const t2 = minutesAfter(MON_CLOSED, 239);
    const second = await customerWrites(db, { from: phone, at: t2 });
    expect(await look(id, t2, second.messageId)).toMatchObject({ sent: false, reason: 'interval' });
    expect(await autoMessages(id)).toHaveLength(1);

    // Exactly 240 minutes after the last one: the away message again.
    const t3 = minutesAfter(MON_CLOSED, 240);
    const third = await customerWrites(db, { from: phone, at: t3 });
    expect(await look(id, t3, third.messageId)).toMatchObject({ sent: true, auto: 'away' });
    expect((await autoMessages(id)).map((m) => m.createdAt)).toEqual([MON_CLOSED, t3]);
    expect((await loadConversation(db.em(), id)).unrepliedCount).toBe(3);
  });

  it('R37: a group’s own interval applies', async () => {
    const { phone } = await returningContact();
    const t0 = utc('2026-03-02T12:00:00');
    const first = await customerWrites(db, { from: phone, endpointAddress: 'PNID_NIGHT', at: t0 });
    const id = first.conversationId;
    expect(await look(id, t0, first.messageId)).toMatchObject({ sent: true, auto: 'away' });
    const t1 = minutesAfter(t0, 29);
    const second = await customerWrites(db, { from: phone, endpointAddress: 'PNID_NIGHT', at: t1 });
    expect(await look(id, t1, second.messageId)).toMatchObject({ sent: false, reason: 'interval' });
    const t2 = minutesAfter(t0, 30);
    const third = await customerWrites(db, { from: phone, endpointAddress: 'PNID_NIGHT', at: t2 });
    expect(await look(id, t2, third.messageId)).toMatchObject({ sent: true });
    expect((await autoMessages(id)).map((m) => m.text)).toEqual(['Night away', 'Night away']);
  });

  it('R37: looking again at messages already answered sends nothing twice (a repeated or reconciled job)', async () => {
    const { phone } = await returningContact();
    const inbound = await customerWrites(db, { from: phone, at: MON_CLOSED });
    const id = inbound.conversationId;
    expect((await look(id, MON_CLOSED, inbound.messageId)).sent).toBe(true);
    const later = minutesAfter(MON_CLOSED, 1);
    expect(await look(id, later, inbound.messageId)).toMatchObject({ sent: false, reason: 'interval' });
    expect(await look(id, later)).toMatchObject({ sent: false, reason: 'nothing_waiting' });
    // Two looks at once (two workers): the row lock lets one send.
    const other = await returningContact();
    const msg = await customerWrites(db, { from: other.phone, at: MON_CLOSED });
    const results = await Promise.all([
      look(msg.conversationId, MON_CLOSED, msg.messageId),
      look(msg.conversationId, MON_CLOSED, msg.messageId),
    ]);
    expect(results.map((r) => r.sent).sort()).toEqual([false, true]);
    expect(await autoMessages(msg.conversationId)).toHaveLength(1);
    expect(await autoMessages(id)).toHaveLength(1);
  });

  it('R37: a message stamped by the provider before the last look still gets its look when its job names it', async () => {
    const { phone } = await returningContact();
    // 16:59 in Berlin: open; looked at a little after 17:00.
    const t0 = utc('2026-03-02T15:59:00');
    const first = await customerWrites(db, { from: phone, at: t0 });
    const id = first.conversationId;
    expect((await look(id, utc('2026-03-02T16:00:30'), first.messageId)).reason).toBe('nothing_due');
    // Written at 17:00:10 (closed), delivered by the provider only at 17:00:40.
    const late = await customerWrites(db, {
      from: phone,
      at: utc('2026-03-02T16:00:40'),
      extra: { receivedAt: utc('2026-03-02T16:00:10') },
    });
    expect(await look(id, utc('2026-03-02T16:00:45'))).toMatchObject({ reason: 'nothing_waiting' });
    expect(await look(id, utc('2026-03-02T16:00:45'), late.messageId)).toMatchObject({
      sent: true,
      auto: 'away',
    });
  });

  it('R37: a first-time contact gets the greeting, once; with the away message when outside hours', async () => {
    // Inside hours: the greeting alone.
    const { phone } = await newContact();
    const first = await customerWrites(db, { from: phone, at: MON_OPEN });
    const id = first.conversationId;
    expect(await look(id, MON_OPEN, first.messageId)).toMatchObject({ sent: true, auto: 'greeting' });
    // Later that evening in the same conversation, closed: the away message, no second greeting.
    const evening = minutesAfter(MON_OPEN, 8 * 60);
    const second = await customerWrites(db, { from: phone, at: evening });
    expect(await look(id, evening, second.messageId)).toMatchObject({ sent: true, auto: 'away' });
    expect((await autoMessages(id)).map((m) => [m.text, m.meta.auto])).toEqual([
      [HELLO, 'greeting'],
      [AWAY, 'away'],
    ]);

    // Outside hours: one message, the greeting then the away message.
    const other = await newContact();
    const msg = await customerWrites(db, { from: other.phone, at: MON_CLOSED });
    expect(await look(msg.conversationId, MON_CLOSED, msg.messageId)).toMatchObject({
      sent: true,
      auto: 'greeting+away',
    });
    const [both] = await autoMessages(msg.conversationId);
    expect([both!.text, both!.meta]).toEqual([`${HELLO}\n\n${AWAY}`, { auto: 'greeting+away' }]);
  });

  it('R37: a contact who had a conversation before, in any group and even closed, gets no greeting', async () => {
    // Wrote to Sales before (returningContact): inside hours, nothing at all.
    const returning = await returningContact();
    const a = await customerWrites(db, { from: returning.phone, at: MON_OPEN });
    expect(await look(a.conversationId, MON_OPEN, a.messageId)).toMatchObject({
      sent: false,
      reason: 'nothing_due',
    });

    // Greeted in a conversation since closed: the next conversation is not a first one.
    const { phone } = await newContact();
    const first = await customerWrites(db, { from: phone, at: MON_OPEN });
    expect((await look(first.conversationId, MON_OPEN, first.messageId)).auto).toBe('greeting');
    await closeDirectly(db, first.conversationId);
    const next = minutesAfter(MON_OPEN, 10);
    const again = await customerWrites(db, { from: phone, at: next });
    expect(again.conversationId).not.toBe(first.conversationId);
    expect(await look(again.conversationId, next, again.messageId)).toMatchObject({
      sent: false,
      reason: 'nothing_due',
    });
  });

  it('R37: no greeting when the team wrote first (a conversation a person started)', async () => {
    const { contact, phone } = await newContact();
    await startConversation(ctxAt(db, MON_OPEN), userActor(ws.alice.id), {
      groupId: ws.group.id,
      contactId: contact.id,
      channel: 'sms',
      text: 'Your order is ready for pick-up.',
    });
    const at = minutesAfter(MON_OPEN, 5);
    const answer = await customerWrites(db, { from: phone, channel: 'sms', at, text: 'Thanks, on my way' });
    expect(await look(answer.conversationId, at, answer.messageId)).toMatchObject({
      sent: false,
      reason: 'nothing_due',
    });
  });

  it('R37: a holiday is closed all day, and so is the weekend', async () => {
    // Christmas 2026 is a Friday: 11:00 in Berlin is closed; the day before at 11:00 is open.
    const christmas = utc('2026-12-25T10:00:00');
    const eve = utc('2026-12-24T10:00:00');
    const saturday = utc('2026-03-07T10:00:00');
    const outcomes = [];
    for (const at of [eve, christmas, saturday]) {
      const { phone } = await returningContact();
      const m = await customerWrites(db, { from: phone, at });
      const res = await look(m.conversationId, at, m.messageId);
      outcomes.push([res.sent, res.auto ?? res.reason]);
    }
    expect(outcomes).toEqual([
      [false, 'nothing_due'],
      [true, 'away'],
      [true, 'away'],
    ]);
  });

  it('R37, R7: an SMS contact who texted STOP gets nothing, and their messages are kept, unreplied', async () => {
    const { phone, contact } = await returningContact();
    // STOP arrives as a message (the keyword marked), then its opt-out is recorded; the job may run in between.
    const stop = await customerWrites(db, {
      from: phone,
      channel: 'sms',
      at: MON_CLOSED,
      text: 'STOP',
      extra: { meta: { optKeyword: 'STOP', optAction: 'opt_out' } },
    });
    const id = stop.conversationId;
    expect(await look(id, MON_CLOSED, stop.messageId)).toMatchObject({ sent: false, reason: 'keyword' });
    await recordOptChange(ctxAt(db, MON_CLOSED), providerOf('sms'), {
      channel: 'sms',
      endpointAddress: '+15550001111',
      address: phone,
      optedOut: true,
      keyword: 'STOP',
    });

    const t1 = minutesAfter(MON_CLOSED, 10);
    const question = await customerWrites(db, {
      from: phone,
      channel: 'sms',
      at: t1,
      text: 'Wait, is my order late?',
    });
    const res = await look(id, t1, question.messageId);
    expect(res).toMatchObject({
      sent: false,
      reason: 'channel_refused',
      auto: 'away',
      refusal: { code: 'opted_out' },
    });
    expect(res.refusal?.message).toContain('opted out of SMS');
    expect(res.events).toEqual([]);
    expect(await autoMessages(id)).toEqual([]);
    const conv = await loadConversation(db.em(), id);
    expect([conv.unrepliedCount, conv.autoCheckedAt]).toEqual([2, t1]);
    const kept = await db
      .em()
      .find(Message, { conversation: id, kind: 'inbound' }, { orderBy: { seq: 'asc' } });
    expect(kept.map((m) => [m.text, m.awaitingReply])).toEqual([
      ['STOP', true],
      ['Wait, is my order late?', true],
    ]);
    expect((await db.em().findOneOrFail(Conversation, id)).contact.id).toBe(contact.id);
  });

  it('R37: with the auto responder off, nothing is sent and the look moves on', async () => {
    // Sales has no auto responder; Support turned off answers nothing either.
    const { phone } = await returningContact();
    const sales = await customerWrites(db, { from: phone, endpointAddress: 'PNID_SALES', at: MON_CLOSED });
    expect(await look(sales.conversationId, MON_CLOSED, sales.messageId)).toMatchObject({
      sent: false,
      reason: 'off',
    });
    expect((await loadConversation(db.em(), sales.conversationId)).autoCheckedAt).toEqual(MON_CLOSED);

    const night = await returningContact();
    const m = await customerWrites(db, { from: night.phone, endpointAddress: 'PNID_NIGHT', at: MON_CLOSED });
    const group = await db.em().findOneOrFail(Group, { name: 'Night' });
    await db
      .em()
      .nativeUpdate(Group, { id: group.id }, { autoResponder: { ...group.autoResponder!, enabled: false } });
    try {
      expect(await look(m.conversationId, MON_CLOSED, m.messageId)).toMatchObject({
        sent: false,
        reason: 'off',
      });
    } finally {
      await db.em().nativeUpdate(Group, { id: group.id }, { autoResponder: group.autoResponder });
    }
    expect(await autoMessages(m.conversationId)).toEqual([]);
  });

  it('R37: only open conversations, and only messages still waiting for a reply', async () => {
    const { phone } = await returningContact();
    const m = await customerWrites(db, { from: phone, at: MON_CLOSED });
    await closeDirectly(db, m.conversationId);
    expect(await look(m.conversationId, MON_CLOSED, m.messageId)).toMatchObject({
      sent: false,
      reason: 'not_open',
    });
    expect(await autoMessages(m.conversationId)).toEqual([]);

    // A person answered before the auto responder looked: nothing waits any more.
    const other = await returningContact();
    const q = await customerWrites(db, { from: other.phone, at: MON_CLOSED });
    await sendReply(ctxAt(db, MON_CLOSED), userActor(ws.alice.id), {
      conversationId: q.conversationId,
      text: 'Here!',
    });
    expect(await look(q.conversationId, MON_CLOSED, q.messageId)).toMatchObject({
      sent: false,
      reason: 'nothing_waiting',
    });
    expect(await autoMessages(q.conversationId)).toEqual([]);
  });

  it('R37, R14: where the AI agent answers the conversation, the auto responder stays silent; after a handoff it speaks', async () => {
    const { phone } = await returningContact();
    const m = await customerWrites(db, { from: phone, endpointAddress: 'PNID_BOTS', at: MON_CLOSED });
    expect((await loadConversation(db.em(), m.conversationId)).aiState).toBe('active');
    expect(await look(m.conversationId, MON_CLOSED, m.messageId)).toMatchObject({
      sent: false,
      reason: 'ai_answers',
    });
    await db.em().nativeUpdate(Conversation, { id: m.conversationId }, { aiState: 'handed_off' });
    const t1 = minutesAfter(MON_CLOSED, 1);
    const next = await customerWrites(db, { from: phone, endpointAddress: 'PNID_BOTS', at: t1 });
    expect(await look(m.conversationId, t1, next.messageId)).toMatchObject({ sent: true, auto: 'away' });
  });
});
