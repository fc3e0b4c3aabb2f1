import { beforeAll, describe, expect, it } from 'vitest';
import { Message, User } from '../../src/db/entities/index.ts';
import { incomingSms, OUR_NUMBER } from '../adapters/sms/harness.ts';
import { BOT } from '../support/fake-slack.ts';
import { ACCOUNT_SID } from '../support/fakes/twilio.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * SMS end to end, through the doors the vendors and people use: Twilio's signed webhook brings the
 * customer's text, Alice answers in the Slack thread (the Events API), the real workers send it
 * to the Twilio fake, and Twilio's signed status callback shows the delivery on her message.
 */
const db = await createTestDb();
const h = slackHarness(db, { sms: true });
let ws: Workspace;
const CUSTOMER = '+15550207788';

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
});

/** A status callback as Twilio posts it for a message it holds. */
const statusForm = (sid: string, state: string) => ({
  MessageSid: sid,
  SmsSid: sid,
  SmsStatus: state,
  MessageStatus: state,
  AccountSid: ACCOUNT_SID,
  From: OUR_NUMBER,
  To: CUSTOMER,
  ApiVersion: '2010-04-01',
});

describe('from an SMS to a Slack thread and back', () => {
  it('R28, R29: the customer’s text lands in its thread, the agent answers there, Twilio sends it once to the customer’s number, and the delivery shows in Slack', {
    timeout: 45_000,
  }, async () => {
    const res = await h.smsWebhook(incomingSms(CUSTOMER, 'Is my order on its way? 📦'));
    expect(res.status).toBe(200);

    // A header in the group's channel, then the customer's text in its thread.
    const header = await eventually(() =>
      h.slack.posts.find(
        (p) =>
          p.channel === 'C_SUPPORT' &&
          !p.thread_ts &&
          h.slack.threadOf('C_SUPPORT', p.ts).some((r) => r.text.includes('Is my order on its way? 📦')),
      ),
    );
    expect(header.text).toContain('SMS');
    await settled(h.services);
    expect(h.slack.posts.filter((p) => p.channel === 'C_SUPPORT' && !p.thread_ts)).toHaveLength(1);
    // Nothing went to the customer on its own.
    expect(h.twilio.requests).toHaveLength(0);

    // Alice answers in the thread, as she would in Slack.
    const typed = h.slack.personWrites('C_SUPPORT', 'U_ALICE', 'Yes &amp; it arrives Friday', header.ts);
    const ev = await h.event({
      type: 'message',
      channel: 'C_SUPPORT',
      channel_type: 'channel',
      user: 'U_ALICE',
      text: typed.text,
      ts: typed.ts,
      thread_ts: header.ts,
    });
    expect(ev.status).toBe(200);

    // Twilio gets exactly one send: to the customer, from the group's number, with the plain text.
    await eventually(() => h.twilio.messages.length > 0);
    await settled(h.services);
    expect(h.twilio.requests).toHaveLength(1);
    expect(h.twilio.messages).toHaveLength(1);
    const sent = h.twilio.messages[0]!;
    expect([sent.to, sent.from, sent.body]).toEqual([CUSTOMER, OUR_NUMBER, 'Yes & it arrives Friday']);
    const reply = await db.em().findOneOrFail(Message, { kind: 'reply' });
    expect([reply.text, reply.providerMessageId]).toEqual(['Yes & it arrives Friday', sent.sid]);
    const callback = sent.form.get('StatusCallback');
    expect(callback).toBe(`${h.config.publicUrl}/webhooks/twilio/status?mid=${reply.id}`);

    // Twilio reports sent, then delivered, to that callback URL, signed.
    for (const state of ['sent', 'delivered']) {
      expect((await h.twilioStatus(callback!, statusForm(sent.sid, state))).status).toBe(204);
    }
    await eventually(() => typed.reactions.includes('white_check_mark'));
    await settled(h.services);
    expect((await db.em().findOneOrFail(Message, reply.id)).deliveryState).toBe('delivered');
    // Only the latest state shows on Alice's message.
    expect(typed.reactions).toEqual(['white_check_mark']);

    // Everything settled: one thread with the customer's text and Alice's reply once each (the
    // app never posted her reply again), and still one send.
    expect(h.slack.posts.filter((p) => p.channel === 'C_SUPPORT' && !p.thread_ts)).toHaveLength(1);
    expect(
      h.slack.threadOf('C_SUPPORT', header.ts).map((p) => [p.bot_id === BOT.botId ? 'app' : p.user, p.text]),
    ).toEqual([
      ['app', expect.stringContaining('Is my order on its way? 📦')],
      ['U_ALICE', 'Yes &amp; it arrives Friday'],
    ]);
    expect(h.twilio.requests).toHaveLength(1);
    expect(await db.em().count(Message, { kind: 'reply' })).toBe(1);
  });
});
