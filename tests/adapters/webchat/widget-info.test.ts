import { afterEach, describe, expect, it, vi } from 'vitest';
import { Group, SurfaceThread } from '../../../src/db/entities/index.ts';
import { aiActor, userActor } from '../../../src/domain/actor.ts';
import { autoRespond } from '../../../src/use-cases/auto-respond.ts';
import { markRead } from '../../../src/use-cases/mark-read.ts';
import { createTestDb } from '../../support/test-db.ts';
import { recordAiReply } from '../../use-cases/messages/support.ts';
import { sseReader, webchatHarness } from './harness.ts';

/**
 * Issue 15, the webchat widget: what the server gives it. The group's greeting and availability
 * (R37's business hours, under a fixed clock), the author of each reply, AI answers and automatic
 * messages marked, and the receipts of the visitor's own messages (delivered: in the team's thread;
 * read: a user's read marker, R12), in the history and live on the stream.
 */
const db = await createTestDb();
const h = await webchatHarness(db);

const hours = {
  enabled: true,
  timeZone: 'Europe/Berlin',
  hours: Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [{ from: '09:00', to: '17:00' }]]),
  ),
  greeting: 'Hello! Ask us anything.',
  awayMessage: 'We are closed; we answer first thing in the morning.',
};
const setHours = (autoResponder: unknown) =>
  db.em().nativeUpdate(Group, { id: h.ws.group.id }, { autoResponder } as never);

type Info = {
  greeting: string | null;
  availability: { open: boolean; nextOpenAt: string | null; awayMessage: string | null } | null;
  strings: Record<string, Record<string, string>>;
};
const settings = async (widget = 'wid_support') => {
  const res = await h.call('GET', `/webchat/api/settings?widget=${widget}`);
  return { status: res.status, body: (await res.json()) as Info };
};

const open: ReturnType<typeof sseReader>[] = [];
async function liveStream(token: string) {
  const sse = sseReader(await h.call('GET', '/webchat/api/stream', token));
  open.push(sse);
  expect((await sse.next()).event).toBe('ready');
  return sse;
}
afterEach(async () => {
  vi.useRealTimers();
  for (const s of open.splice(0)) await s.close();
  await setHours(null);
});

describe('the greeting and availability (R37 hours)', () => {
  it('in business hours: the session and the settings say open now, with the group greeting', async () => {
    await setHours(hours);
    vi.useFakeTimers({ toFake: ['Date'] });
    // Wednesday 4 March 2026, 11:00 in Berlin.
    vi.setSystemTime(new Date('2026-03-04T10:00:00Z'));
    const s = (await h.session()) as unknown as { widget: Info };
    expect(s.widget).toEqual({
      greeting: 'Hello! Ask us anything.',
      availability: { open: true, nextOpenAt: null, awayMessage: null },
      strings: {},
    });
    expect((await settings()).body).toEqual(s.widget);
  });

  it('out of business hours: away, back at the next opening (Monday 09:00 Berlin), with the away message', async () => {
    await setHours({ ...hours, holidays: ['2026-03-09'] });
    vi.useFakeTimers({ toFake: ['Date'] });
    // Friday 6 March 2026, 18:30 in Berlin; Monday the 9th is a holiday.
    vi.setSystemTime(new Date('2026-03-06T17:30:00Z'));
    const { status, body } = await settings();
    expect(status).toBe(200);
    expect(body.availability).toEqual({
      open: false,
      nextOpenAt: '2026-03-10T08:00:00.000Z',
      awayMessage: 'We are closed; we answer first thing in the morning.',
    });
    // The same moment by the session's answer.
    const s = (await h.session()) as unknown as { widget: Info };
    expect(s.widget.availability?.open).toBe(false);
  });

  it('a group without hours, or with its auto responder off, says nothing about availability', async () => {
    expect((await settings()).body).toEqual({ greeting: null, availability: null, strings: {} });
    await setHours({ ...hours, enabled: false });
    expect((await settings()).body).toEqual({ greeting: null, availability: null, strings: {} });
  });

  it('an unknown widget is not found; the widget’s own texts come with the settings', async () => {
    expect((await settings('wid_nope')).status).toBe(404);
    await h.setWidgetSettings('wid_support', {
      secret: 'x'.repeat(20),
      strings: { fr: { title: 'Écrivez-nous' }, en: { title: 'Talk to Acme' } },
    });
    expect((await settings()).body.strings).toEqual({
      fr: { title: 'Écrivez-nous' },
      en: { title: 'Talk to Acme' },
    });
    await h.setWidgetSettings('wid_support', { secret: 'x'.repeat(20) });
  });
});

describe('authors and marks', () => {
  it('replies carry the agent’s name, an automatic greeting says so, an AI answer is marked AI with its name', async () => {
    await setHours({ ...hours, hours: {} }); // a greeting, and closed: greeting and away in one
    const a = await h.session();
    const w = await h.write(a.token, 'Hi, where is my parcel?');
    const auto = await autoRespond(h.context(), w.body.conversationId);
    expect(auto.sent).toBe(true);
    await liveStream(a.token); // connected: a reply reaches an anonymous visitor only while they are there
    await h.reply(w.body.conversationId, 'It left our warehouse today.');

    const history = await h.history(a.token);
    expect(
      history.messages.map((m) => ({
        from: m.from,
        authorName: (m as unknown as { authorName: string | null }).authorName,
        automatic: (m as unknown as { automatic?: boolean }).automatic ?? false,
        at: typeof (m as unknown as { at: string }).at,
      })),
    ).toEqual([
      { from: 'customer', authorName: null, automatic: false, at: 'string' },
      { from: 'agent', authorName: null, automatic: true, at: 'string' },
      { from: 'agent', authorName: 'Alice', automatic: false, at: 'string' },
    ]);

    // Another visitor, with the group's AI agent on.
    await setHours(null);
    await db
      .em()
      .nativeUpdate(Group, { id: h.ws.group.id }, { aiAgent: { enabled: true, name: 'Parley AI' } });
    try {
      const b = await h.session();
      const wb = await h.write(b.token, 'Do you ship to Norway?');
      await liveStream(b.token);
      const ai = await recordAiReply(h.context(), aiActor, {
        conversationId: wb.body.conversationId,
        text: 'Yes, we do.',
      });
      await h.deliver(ai.messageId as string);
      const answer = (await h.history(b.token)).messages.at(-1) as unknown as Record<string, unknown>;
      expect(answer).toMatchObject({ from: 'ai', authorName: 'Parley AI', text: 'Yes, we do.' });
    } finally {
      await db.em().nativeUpdate(Group, { id: h.ws.group.id }, { aiAgent: null });
    }
  });

  it('receipts: stored (no marks yet), delivered once the team’s thread has it, read once a user has read that far — in the history and live', async () => {
    const s = await h.session();
    const w = await h.write(s.token, 'Is anyone there?');
    const conversationId = w.body.conversationId;
    const seq = (await h.message(w.body.messageId)).seq;
    const receipts = async () =>
      ((await h.history(s.token)) as unknown as { receipts: Record<string, unknown> }).receipts;
    expect(await receipts()).toEqual({ conversationId, deliveredSeq: 0, readSeq: 0, customerSeq: seq });

    const res = await h.call('GET', '/webchat/api/stream', s.token);
    const sse = sseReader(res);
    open.push(sse);
    const nextReceipts = async () => {
      for (;;) {
        const e = await sse.next();
        if (e.event === 'receipts') return JSON.parse(e.data) as Record<string, number>;
      }
    };
    expect(await nextReceipts()).toMatchObject({ deliveredSeq: 0, readSeq: 0, customerSeq: seq });

    // The mirror posted it in the group's Slack thread (what the mirror worker records).
    const em = db.em();
    em.create(SurfaceThread, {
      conversation: conversationId,
      surface: 'slack',
      place: 'channel:C_SUPPORT',
      ref: { channel: 'C_SUPPORT', ts: '1.000' },
      mirroredSeq: seq,
    });
    await em.flush();
    // No wake-up: the stream looks again at its heartbeat while a message is not read yet.
    expect(await nextReceipts()).toMatchObject({ deliveredSeq: seq, readSeq: 0 });
    expect(await receipts()).toMatchObject({ deliveredSeq: seq, readSeq: 0 });

    // Alice opens the conversation (R12's read marker).
    await markRead(h.context(), userActor(h.ws.alice.id), { conversationId });
    expect((await nextReceipts()).readSeq).toBeGreaterThanOrEqual(seq);
    expect(((await receipts()) as { readSeq: number }).readSeq).toBeGreaterThanOrEqual(seq);
  });
});
