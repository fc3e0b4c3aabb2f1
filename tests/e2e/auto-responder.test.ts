import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation, Group, Message } from '../../src/db/entities/index.ts';
import { incomingSms, OUR_NUMBER } from '../adapters/sms/harness.ts';
import { BOT } from '../support/fake-slack.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * The auto responder end to end, through the doors the vendors use: Twilio's signed webhook brings
 * a customer's text outside business hours, the real workers send the away message to the Twilio
 * fake once, and the Slack thread shows it as an automatic reply; the customer still waits (R11).
 */
const db = await createTestDb();
const h = slackHarness(db, { sms: true });
const CUSTOMER = '+15550207799';
const AWAY = 'Thanks for writing! We are closed now & answer on weekdays from 9:00 (Berlin time).';

beforeAll(async () => {
  const ws = await seedWorkspace(db.em());
  // No opening hours at all: whenever the test runs, it is outside business hours.
  await db
    .em()
    .nativeUpdate(
      Group,
      { id: ws.group.id },
      { autoResponder: { enabled: true, timeZone: 'Europe/Berlin', hours: {}, awayMessage: AWAY } },
    );
});

describe('auto responder, end to end (R37)', () => {
  it('R37, R11: a customer who texts outside business hours gets the away message once by SMS, shown in the Slack thread as an automatic reply', {
    timeout: 45_000,
  }, async () => {
    const res = await h.smsWebhook(incomingSms(CUSTOMER, 'Hello, are you open?'));
    expect(res.status).toBe(200);

    // Twilio gets exactly one send: the away message, to the customer, from the group's number.
    await eventually(() => h.twilio.messages.length > 0);
    // The customer writes again within the interval: no second automatic message.
    expect((await h.smsWebhook(incomingSms(CUSTOMER, 'Hello??'))).status).toBe(200);
    await settled(h.services);
    expect(h.twilio.messages.map((m) => [m.to, m.from, m.body])).toEqual([[CUSTOMER, OUR_NUMBER, AWAY]]);
    expect(h.twilio.requests).toHaveLength(1);

    const auto = await db.em().findOneOrFail(Message, { kind: 'auto_response' });
    expect([auto.text, auto.meta.auto, auto.deliveryState, auto.providerMessageId]).toEqual([
      AWAY,
      'away',
      'sent',
      h.twilio.messages[0]!.sid,
    ]);
    // R11: both customer messages still wait for a person.
    const conv = await db.em().findOneOrFail(Conversation, auto.conversation.id);
    expect(conv.unrepliedCount).toBe(2);

    // The Slack thread: the customer's text, the automatic reply, the customer's second text.
    const header = h.slack.posts.find((p) => p.channel === 'C_SUPPORT' && !p.thread_ts);
    expect(header).toBeDefined();
    const thread = h.slack.threadOf('C_SUPPORT', header!.ts);
    expect(thread.every((p) => p.bot_id === BOT.botId)).toBe(true);
    const autoPosts = thread.filter((p) => p.text.includes('We are closed now'));
    expect(autoPosts).toHaveLength(1);
    const shown = autoPosts[0]!;
    expect(shown.username).toBe('Auto-response');
    expect(shown.text).toContain('We are closed now &amp; answer');
    expect(JSON.stringify(shown.blocks)).toContain('Automatic reply');
    const order = thread.map((p) =>
      p.text.includes('Hello, are you open?')
        ? 'first'
        : p.text.includes('Hello??')
          ? 'second'
          : p === shown
            ? 'auto'
            : '?',
    );
    expect(order.filter((x) => x !== '?')).toEqual(['first', 'auto', 'second']);
  });
});
