import { describe, expect, it } from 'vitest';
import { WebchatSession } from '../../../src/db/entities/index.ts';
import { createTestDb } from '../../support/test-db.ts';
import { webchatHarness } from './harness.ts';

/**
 * Issue 9, item 6: a session unused for WEBCHAT_SESSION_IDLE_MINUTES (a day by default) has ended.
 * Its token answers 401 `expired_session` everywhere; the widget then starts a new session. A
 * signed-in customer is back in their conversation; an anonymous visitor starts afresh.
 */
const db = await createTestDb();
const h = await webchatHarness(db);
const HOUR = 3_600_000;

const idleFor = (sessionId: string, ms: number) =>
  db.em().nativeUpdate(WebchatSession, { id: sessionId }, { lastSeenAt: new Date(Date.now() - ms) });
const lastSeen = async (sessionId: string) =>
  (await db.em().findOneOrFail(WebchatSession, sessionId)).lastSeenAt.getTime();
const reasonOf = async (res: Response) =>
  ((await res.json()) as { error: { details?: { reason?: string } } }).error.details?.reason;

describe('webchat session expiry (issue 9, item 6)', () => {
  it('R34: a token unused for the idle time answers 401 expired_session on every call', async () => {
    const s = await h.session({ sub: 'cust-idle' });
    const { body } = await h.write(s.token, 'Before the break');
    await idleFor(s.sessionId, 25 * HOUR);
    const form = new FormData();
    form.append('file', new File(['x'], 'x.txt'));
    const calls = [
      h.call('GET', '/webchat/api/history', s.token),
      h.call('GET', '/webchat/api/stream', s.token),
      h.call('POST', '/webchat/api/messages', s.token, { text: 'after', clientMessageId: 'late' }),
      h.call('POST', '/webchat/api/ack', s.token, {
        conversationId: body.conversationId,
        seq: 1,
        state: 'read',
      }),
      h.call('GET', `/webchat/api/files/${crypto.randomUUID()}`, s.token),
      h.app.request('/webchat/api/uploads', {
        method: 'POST',
        headers: { Authorization: `Bearer ${s.token}` },
        body: form,
      }),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(401);
      expect(await reasonOf(res)).toBe('expired_session');
    }
    // A refused call does not bring the session back.
    expect(await lastSeen(s.sessionId)).toBeLessThan(Date.now() - 24 * HOUR);
  });

  it('R34: a signed-in customer whose session ended gets a new one in the same conversation', async () => {
    const s = await h.session({ sub: 'cust-back' });
    const first = await h.write(s.token, 'Where is my parcel?');
    await idleFor(s.sessionId, 25 * HOUR);
    const again = await h.session({ sub: 'cust-back' });
    const view = await h.history(again.token);
    expect(view.conversationId).toBe(first.body.conversationId);
    expect(view.messages.map((m) => m.text)).toEqual(['Where is my parcel?']);
  });

  it('R34: an anonymous visitor whose session ended starts a new chat: the old one is not theirs to see any more', async () => {
    const s = await h.session();
    await h.write(s.token, 'anonymous question');
    await idleFor(s.sessionId, 25 * HOUR);
    const again = await h.session();
    expect(await h.history(again.token)).toEqual({
      conversationId: null,
      messages: [],
      lastEventId: null,
      receipts: null,
    });
  });

  it('an active session is kept alive with one write per refresh interval, not one per request', async () => {
    const s = await h.session();
    await idleFor(s.sessionId, 60_000);
    const stamp = await lastSeen(s.sessionId);
    await h.history(s.token);
    await h.history(s.token);
    expect(await lastSeen(s.sessionId)).toBe(stamp);

    await idleFor(s.sessionId, 6 * 60_000);
    await h.history(s.token);
    expect(await lastSeen(s.sessionId)).toBeGreaterThan(Date.now() - 60_000);
  });
});
