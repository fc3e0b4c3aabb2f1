import { beforeAll, describe, expect, it } from 'vitest';
import { Message, User } from '../../../src/db/entities/index.ts';
import { slackHeaders } from '../../support/fake-slack.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { settled } from '../../support/settled.ts';
import { eventually, slackHarness } from '../../support/slack-app.ts';
import { createTestDb } from '../../support/test-db.ts';

const db = await createTestDb();
const h = slackHarness(db, { emails: { U_BOB: 'BOB@acme.test', U_STRANGER: 'nobody@elsewhere.test' } });
let ws: Workspace;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
});

let customer = 15550200000;
/** A customer writes on WhatsApp; resolves with the thread's header once it is in Slack. */
async function newThread(text: string) {
  const waId = String(++customer);
  return { header: await h.customerThread(waId, text), waId };
}

const agentWrites = h.writesInThread;

const repliesIn = (threadTs: string) =>
  db.em().find(Message, {
    kind: 'reply',
    sourceRef: { $like: `slack:C_SUPPORT:%` },
    meta: { origin: { ref: { thread_ts: threadTs } } },
  });

// Tests wait for the queues to settle before they look for what must not have happened.
describe('replies written in a Slack thread', { timeout: 30_000 }, () => {
  it('R29: an Events API retry of the same reply is stored and sent once', async () => {
    const { header } = await newThread('Retry me');
    const { event } = await agentWrites('U_ALICE', 'Sent once only', header.ts, { eventId: 'EvRETRY1' });
    const again = await h.event(event, { eventId: 'EvRETRY1', retryNum: 1 });
    expect(again.status).toBe(200);
    // Slack's retry after our answer was lost: a new delivery id, the same message ts.
    const third = await h.event(event, { eventId: 'EvRETRY2', retryNum: 2 });
    expect(third.status).toBe(200);
    await eventually(() => h.graph.sent.some((s) => s.body.text?.body === 'Sent once only'));
    await settled(h.services);
    expect((await repliesIn(header.ts)).map((m) => m.text)).toEqual(['Sent once only']);
    expect(h.graph.sent.filter((s) => s.body.text?.body === 'Sent once only')).toHaveLength(1);
  });

  it("R29: the delivery state shows on the agent's own message, even when it was sent before the thread caught up", async () => {
    const { header } = await newThread('Quick one');
    const { typed } = await agentWrites('U_ALICE', 'Already on its way', header.ts);
    await eventually(() => h.graph.sent.some((s) => s.body.text?.body === 'Already on its way'));
    // The thread's run after a reply waits a moment, so it first sees the reply already sent.
    await eventually(() => typed.reactions.includes('outbox_tray'));
    await settled(h.services);
    expect(typed.reactions).not.toContain('hourglass_flowing_sand');
  });

  it('R33: a Slack user linked by email can act; one that cannot be linked is told how and nothing is sent', async () => {
    const { header } = await newThread('Who is there?');
    await agentWrites('U_BOB', 'Bob here', header.ts);
    const bob = await db.em().findOneOrFail(User, { id: ws.bob.id });
    expect(bob.slackUserId).toBe('U_BOB');
    await eventually(() => h.graph.sent.some((s) => s.body.text?.body === 'Bob here'));

    // What Graph has been asked once Bob's reply is all done; then nothing more.
    await settled(h.services);
    const before = h.graph.received.length;
    await agentWrites('U_STRANGER', 'I am not anyone', header.ts);
    const told = h.slack.ephemerals.find((e) => e.user === 'U_STRANGER');
    expect(told?.text).toContain('/parley link');
    await settled(h.services);
    expect(await db.em().count(Message, { text: 'I am not anyone' })).toBe(0);
    expect(h.graph.received.length).toBe(before);
  });

  it('R33/R34: a linked Slack user who was deactivated is told how to get back, and their message never reaches the customer', async () => {
    const { header } = await newThread('Anyone still there?');
    const em = db.em();
    em.create(User, {
      account: ws.account,
      name: 'Gone',
      email: 'gone@acme.test',
      role: 'agent',
      groupIds: [ws.group.id],
      slackUserId: 'U_GONE',
      active: false,
    });
    await em.flush();
    await settled(h.services);
    const before = h.graph.received.length;
    await agentWrites('U_GONE', 'Still here', header.ts);
    expect(h.slack.ephemerals.find((e) => e.user === 'U_GONE')?.text).toContain('/parley link');
    await settled(h.services);
    expect(await db.em().count(Message, { text: 'Still here' })).toBe(0);
    expect(h.graph.received.length).toBe(before);
  });

  it("the app's own posts never come back as replies", async () => {
    const { header } = await newThread('Echo?');
    const own = h.slack.threadOf('C_SUPPORT', header.ts)[0]!;
    const res = await h.event({
      type: 'message',
      subtype: 'bot_message',
      channel: 'C_SUPPORT',
      bot_id: 'B_PARLEY',
      text: own.text,
      ts: own.ts,
      thread_ts: header.ts,
    });
    expect(res.status).toBe(200);
    const self = await h.event({
      type: 'message',
      channel: 'C_SUPPORT',
      user: 'U_PARLEY',
      text: 'file shared by the app',
      ts: `${own.ts}1`,
      thread_ts: header.ts,
    });
    expect(self.status).toBe(200);
    await settled(h.services);
    expect(await repliesIn(header.ts)).toHaveLength(0);
    expect(h.graph.sent.some((s) => s.body.text?.body === own.text)).toBe(false);
  });

  it('an edit before delivery changes what the customer gets; a deletion after delivery is explained privately', async () => {
    const { header } = await newThread('Edit me');
    // Hold deliveries: the reply stays queued while Alice edits it.
    await h.services.queues.byName.get('deliver')!.pause();
    const { typed } = await agentWrites('U_ALICE', 'Teh parcel', header.ts);
    const edit = await h.event({
      type: 'message',
      subtype: 'message_changed',
      channel: 'C_SUPPORT',
      message: { type: 'message', user: 'U_ALICE', text: 'The parcel', ts: typed.ts, thread_ts: header.ts },
      previous_message: {
        type: 'message',
        user: 'U_ALICE',
        text: 'Teh parcel',
        ts: typed.ts,
        thread_ts: header.ts,
      },
    });
    expect(edit.status).toBe(200);
    await h.services.queues.byName.get('deliver')!.resume();
    const sent = await eventually(() => h.graph.sent.find((s) => s.body.text?.body?.endsWith('parcel')));
    expect(sent.body.text.body).toBe('The parcel');

    await eventually(
      async () => (await db.em().findOne(Message, { text: 'The parcel' }))?.deliveryState === 'sent',
    );
    const del = await h.event({
      type: 'message',
      subtype: 'message_deleted',
      channel: 'C_SUPPORT',
      deleted_ts: typed.ts,
      previous_message: {
        type: 'message',
        user: 'U_ALICE',
        text: 'The parcel',
        ts: typed.ts,
        thread_ts: header.ts,
      },
    });
    expect(del.status).toBe(200);
    expect(h.slack.ephemerals.some((e) => e.user === 'U_ALICE' && e.text.includes('already received'))).toBe(
      true,
    );
  });

  it('a request with a bad or stale signature is refused and changes nothing', async () => {
    const body = JSON.stringify({ type: 'event_callback', event_id: 'EvBAD', event: { type: 'message' } });
    const bad = await h.app.request('/slack/events', {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-slack-signature': 'v0=deadbeef',
      },
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: { code: 'signature_invalid' } });
  });

  it('answers Slack’s URL verification challenge', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'abc123' });
    const res = await h.app.request('/slack/events', {
      method: 'POST',
      body,
      headers: slackHeaders(body, 'application/json'),
    });
    expect(await res.json()).toEqual({ challenge: 'abc123' });
  });
});
