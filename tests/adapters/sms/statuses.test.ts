import { beforeAll, describe, expect, it } from 'vitest';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { errorOf, smsHarness } from './harness.ts';

const db = await createTestDb();
const h = smsHarness(db);
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

/** A reply that went out through Twilio: its sid and the status callback URL Parley gave Twilio. */
async function sentReply(text = 'On its way') {
  const { messageId } = await h.queuedReply(ws, text);
  const r = await h.deliver(messageId);
  if (r.outcome !== 'sent') throw new Error(`not sent: ${JSON.stringify(r)}`);
  const callback = new URL(h.twilio.requests.at(-1)!.get('StatusCallback')!);
  return { messageId, sid: r.providerMessageId, query: callback.search };
}

const status = (sid: string, MessageStatus: string, extra: Record<string, string> = {}) => ({
  MessageSid: sid,
  SmsSid: sid,
  SmsStatus: MessageStatus,
  MessageStatus,
  AccountSid: 'ACa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1',
  From: '+15550001111',
  To: '+15551234567',
  ApiVersion: '2010-04-01',
  ...extra,
});

describe('Twilio status callbacks', () => {
  it('R29: sent, delivered, read move the reply forward', async () => {
    const { messageId, sid, query } = await sentReply();
    expect(query).toBe(`?mid=${messageId}`);
    for (const [s, expected] of [
      ['sent', 'sent'],
      ['delivered', 'delivered'],
      ['read', 'read'],
    ] as const) {
      expect((await h.postStatus(status(sid, s), query)).status).toBe(204);
      expect((await h.load(messageId)).deliveryState).toBe(expected);
    }
  });

  it('statuses arriving out of order never move the state back', async () => {
    const { messageId, sid, query } = await sentReply();
    await h.postStatus(status(sid, 'delivered', { RawDlrDoneDate: '2601011200' }), query);
    await h.postStatus(status(sid, 'sending'), query);
    await h.postStatus(status(sid, 'sent'), query);
    await h.postStatus(status(sid, 'queued'), query);
    expect((await h.load(messageId)).deliveryState).toBe('delivered');
    // A late failure report does not undo a delivery either.
    await h.postStatus(status(sid, 'undelivered', { ErrorCode: '30003' }), query);
    const m = await h.load(messageId);
    expect(m.deliveryState).toBe('delivered');
    expect(m.deliveryReason).toBeNull();
  });

  it.each([
    ['undelivered', '30003', /phone is unreachable/],
    ['undelivered', '30005', /unknown or no longer in service/],
    ['undelivered', '30006', /landline/],
    ['undelivered', '30007', /filtered the message as spam/],
    ['failed', '21610', /replied STOP/],
  ])('R29: %s with error %s fails the reply with a reason the agent can act on', async (s, code, reason) => {
    const { messageId, sid, query } = await sentReply();
    await h.postStatus(status(sid, s, { ErrorCode: code }), query);
    const m = await h.load(messageId);
    expect(m.deliveryState).toBe('failed');
    expect(m.deliveryReason).toMatch(reason);
    expect(m.deliveryReason).toContain(`Twilio error ${code}`);
  });

  it('a failure without an error code still says it came from Twilio', async () => {
    const { messageId, sid, query } = await sentReply();
    await h.postStatus(status(sid, 'failed'), query);
    expect((await h.load(messageId)).deliveryReason).toMatch(/Twilio error; Twilio gave no reason/);
  });

  it('the same callback twice changes nothing the second time', async () => {
    const { messageId, sid, query } = await sentReply();
    expect((await h.postStatus(status(sid, 'delivered'), query)).status).toBe(204);
    const first = (await h.load(messageId)).deliveryUpdatedAt;
    expect((await h.postStatus(status(sid, 'delivered'), query)).status).toBe(204);
    expect((await h.load(messageId)).deliveryUpdatedAt).toEqual(first);
  });

  it('a callback without our id still finds the message by its sid', async () => {
    const { messageId, sid } = await sentReply();
    await h.postStatus(status(sid, 'delivered'));
    expect((await h.load(messageId)).deliveryState).toBe('delivered');
  });

  it('a status Parley does not know yet is accepted and ignored', async () => {
    const { messageId, sid, query } = await sentReply();
    expect((await h.postStatus(status(sid, 'teleported'), query)).status).toBe(204);
    expect((await h.load(messageId)).deliveryState).toBe('sent');
  });

  it('a callback for a message Parley never sent is answered 2xx (Twilio would only retry) and writes nothing', async () => {
    const before = await h.messageCount();
    const res = await h.postStatus(status('SM0123456789abcdef0123456789abcdef', 'delivered'));
    expect(res.status).toBe(204);
    expect(await h.messageCount()).toBe(before);
  });

  it('a callback without MessageStatus is refused with 400', async () => {
    const res = await h.postStatus({ MessageSid: 'SM0123456789abcdef0123456789abcdef' });
    expect(res.status).toBe(400);
    expect((await errorOf(res)).message).toMatch(/no MessageStatus/);
  });
});
