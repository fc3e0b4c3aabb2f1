import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Conversation } from '../../../src/db/entities/index.ts';
import { systemActor, userActor } from '../../../src/domain/actor.ts';
import { addNote } from '../../../src/use-cases/add-note.ts';
import { closeConversation } from '../../../src/use-cases/close-conversation.ts';
import { deliverMessage } from '../../../src/use-cases/deliver-message.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { appendSystemLine } from '../../../src/use-cases/timeline.ts';
import { createTestDb } from '../../support/test-db.ts';
import { sseReader, webchatHarness } from './harness.ts';

const db = await createTestDb();
// A heartbeat far longer than any test: live messages can only arrive through Redis pub/sub.
const h = await webchatHarness(db, { heartbeatMs: 120_000 });

const open: ReturnType<typeof sseReader>[] = [];
/** Opens the visitor's stream and waits until it is live (subscribed, presence set). */
async function stream(token: string, lastEventId?: string) {
  const res = await h.call(
    'GET',
    '/webchat/api/stream',
    token,
    undefined,
    lastEventId ? { 'Last-Event-ID': lastEventId } : {},
  );
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toMatch(/text\/event-stream/);
  const sse = sseReader(res);
  open.push(sse);
  expect((await sse.next()).event).toBe('ready');
  return sse;
}
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

const present = (address: string) => h.channel.runtime.presence.isPresent('wid_support', address);

describe('webchat live stream', () => {
  it('sends the conversation so far, then an agent reply made with sendReply as soon as it is delivered', async () => {
    const s = await h.session();
    const { body } = await h.write(s.token, 'Hi! 🙂');
    const sse = await stream(s.token);
    const [first] = await sse.messages(1);
    expect(first).toMatchObject({ from: 'customer', text: 'Hi! 🙂', eventId: `${body.conversationId}:1` });

    const reply = await h.reply(body.conversationId, 'Hello, how can I help? 😊');
    expect(reply.delivery.outcome).toBe('sent');
    const [live] = await sse.messages(1);
    expect(live).toMatchObject({
      id: reply.messageId,
      from: 'agent',
      text: 'Hello, how can I help? 😊',
      eventId: `${body.conversationId}:2`,
    });
    expect((await h.message(reply.messageId)).providerMessageId).toBe(reply.messageId);
  });

  it('a reconnect with Last-Event-ID gets exactly the messages it missed, then live ones, none twice', async () => {
    const s = await h.session({ sub: 'cust-resume', name: 'Rae' });
    const { body } = await h.write(s.token, 'one');
    const conv = body.conversationId;
    const first = await stream(s.token);
    const [seen] = await first.messages(1);
    await first.close();

    // While the visitor is away: their other tab writes, Alice replies (a known customer: it waits).
    await h.write(s.token, 'two');
    const away = await h.reply(conv, 'three');
    expect(away.delivery.outcome).toBe('sent');
    await h.write(s.token, 'four');

    const again = await stream(s.token, seen?.eventId);
    const missed = await again.messages(3);
    expect(missed.map((m) => [m.eventId, m.text])).toEqual([
      [`${conv}:2`, 'two'],
      [`${conv}:3`, 'three'],
      [`${conv}:4`, 'four'],
    ]);
    await h.reply(conv, 'five');
    const [next] = await again.messages(1);
    expect([next?.eventId, next?.text]).toEqual([`${conv}:5`, 'five']);
  });

  it('R22: a stream resumed after a close and a new conversation gets the rest of the old one, then the new one', async () => {
    const s = await h.session({ sub: 'cust-r22' });
    const old = (await h.write(s.token, 'old question')).body.conversationId;
    const first = await stream(s.token);
    const [seen] = await first.messages(1);
    await first.close();
    await h.reply(old, 'old answer');
    await closeConversation(h.context(), userActor(h.ws.admin.id), { conversationId: old });
    const fresh = (await h.write(s.token, 'new question')).body.conversationId;

    const again = await stream(s.token, seen?.eventId);
    const got = await again.messages(2);
    expect(got.map((m) => [m.eventId, m.text])).toEqual([
      [`${old}:2`, 'old answer'],
      [`${fresh}:1`, 'new question'],
    ]);
  });

  it('a reply delivered by another Parley process reaches the stream through Redis pub/sub', async () => {
    const s = await h.session();
    const { body } = await h.write(s.token, 'Anyone?');
    const sse = await stream(s.token);
    await sse.messages(1);
    const worker = h.otherProcess();
    const r = await sendReply(h.context(), userActor(h.ws.alice.id), {
      conversationId: body.conversationId,
      text: 'Yes, from another process',
    });
    const delivery = await deliverMessage({ em: db.em(), channels: worker.channels }, r.messageId);
    expect(delivery.outcome).toBe('sent');
    const [live] = await sse.messages(1);
    expect(live?.text).toBe('Yes, from another process');
  });

  it('presence: the visitor counts as connected while a stream is open, and not after it closes', async () => {
    const s = await h.session();
    await h.write(s.token, 'hello');
    const address = `session:${s.sessionId}`;
    expect(await present(address)).toBe(false);
    const sse = await stream(s.token);
    expect(await present(address)).toBe(true);
    await sse.close();
    await vi.waitFor(async () => expect(await present(address)).toBe(false), { timeout: 5_000 });
  });
});

describe('webchat delivery (R7)', () => {
  it('R7: a reply to an anonymous visitor who has left is refused with the reason, and never shown to them', async () => {
    const s = await h.session();
    const { body } = await h.write(s.token, 'quick question');
    const reply = await h.reply(body.conversationId, 'Are you still there?');
    expect(reply.delivery).toMatchObject({ outcome: 'failed' });
    const msg = await h.message(reply.messageId);
    expect(msg.deliveryState).toBe('failed');
    expect(msg.deliveryReason).toMatch(
      /the visitor has left the chat; webchat reaches only known customers with a portal profile when they are not connected/i,
    );
    const view = await h.history(s.token);
    expect(view.messages.map((m) => m.text)).toEqual(['quick question']);
  });

  it('R7: a reply to a known customer who is away is sent and waits in their history for the next visit', async () => {
    const s = await h.session({ sub: 'cust-away', name: 'Ava' });
    const { body } = await h.write(s.token, 'Call me back later');
    const reply = await h.reply(body.conversationId, 'We found your parcel 📦');
    expect(reply.delivery.outcome).toBe('sent');
    const msg = await h.message(reply.messageId);
    expect(msg.deliveryState).toBe('sent');
    expect(msg.meta).toMatchObject({ waitingForVisit: true });

    // The next visit, from another device: a new session for the same customer.
    const later = await h.session({ sub: 'cust-away' });
    const view = await h.history(later.token);
    expect(view.messages.map((m) => [m.from, m.text])).toEqual([
      ['customer', 'Call me back later'],
      ['agent', 'We found your parcel 📦'],
    ]);
  });

  it('R29: the widget’s acknowledgements mark the reply delivered, then read; never backwards', async () => {
    const s = await h.session();
    const { body } = await h.write(s.token, 'ping');
    const sse = await stream(s.token);
    await sse.messages(1);
    const reply = await h.reply(body.conversationId, 'pong');
    const [shown] = await sse.messages(1);
    const ack = (state: string) =>
      h.call('POST', '/webchat/api/ack', s.token, {
        conversationId: body.conversationId,
        seq: shown?.seq,
        state,
      });
    expect((await ack('delivered')).status).toBe(200);
    expect((await h.message(reply.messageId)).deliveryState).toBe('delivered');
    await ack('read');
    expect((await h.message(reply.messageId)).deliveryState).toBe('read');
    await ack('delivered');
    expect((await h.message(reply.messageId)).deliveryState).toBe('read');
  });

  it('an acknowledgement for another visitor’s conversation is refused', async () => {
    const a = await h.session();
    const b = await h.session();
    const { body } = await h.write(a.token, 'mine');
    await h.write(b.token, 'theirs');
    const res = await h.call('POST', '/webchat/api/ack', b.token, {
      conversationId: body.conversationId,
      seq: 1,
      state: 'read',
    });
    expect(res.status).toBe(404);
  });
});

describe('webchat history', () => {
  it('R5: the history shows customer and agent messages, never notes or system lines', async () => {
    const s = await h.session({ sub: 'cust-notes' });
    const { body } = await h.write(s.token, 'My card was charged twice');
    const conv = body.conversationId;
    await addNote(h.context(), userActor(h.ws.alice.id), {
      conversationId: conv,
      text: 'SECRET: refund approved by Bob',
    });
    await db.em().transactional(async (tx) => {
      const c = await tx.findOneOrFail(Conversation, conv, { lockMode: LockMode.PESSIMISTIC_WRITE });
      await appendSystemLine(
        tx as EntityManager,
        c,
        systemActor,
        'assigned',
        'Alice was assigned',
        new Date(),
      );
    });
    await sendReply(h.context(), userActor(h.ws.alice.id), {
      conversationId: conv,
      text: 'Refund on its way',
    });

    const view = await h.history(s.token);
    expect(view.messages.map((m) => m.text)).toEqual(['My card was charged twice', 'Refund on its way']);
    expect(JSON.stringify(view)).not.toMatch(/SECRET|assigned/);
    const after = await h.history(s.token, 1);
    expect(after.messages.map((m) => m.text)).toEqual(['Refund on its way']);
    const sse = await stream(s.token);
    expect((await sse.messages(2)).map((m) => m.text)).toEqual([
      'My card was charged twice',
      'Refund on its way',
    ]);
  });

  it('a visitor who has not written yet has an empty history', async () => {
    const s = await h.session();
    expect(await h.history(s.token)).toEqual({
      conversationId: null,
      messages: [],
      lastEventId: null,
      receipts: null,
    });
  });
});
