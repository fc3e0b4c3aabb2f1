import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent, Contact, ContactIdentity } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { startConversation } from '../../../src/use-cases/start-conversation.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { incomingSms, randomPhone, smsHarness } from './harness.ts';

const db = await createTestDb();
const h = smsHarness(db);
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

const contactOf = async (phone: string) =>
  (
    await db
      .em()
      .findOneOrFail(ContactIdentity, { channel: 'sms', address: phone }, { populate: ['contact'] })
  ).contact;
const optedOut = async (phone: string) =>
  (await db.em().findOneOrFail(Contact, (await contactOf(phone)).id)).optedOutChannels;

describe('STOP, START and HELP', () => {
  it('R7: after STOP the message shows to agents marked, and a reply by SMS is refused with the reason', async () => {
    const phone = randomPhone();
    const hello = incomingSms(phone, 'Hi, question about my bill');
    await h.postSms(hello);
    const stop = incomingSms(phone, ' stop ');
    expect((await h.postSms(stop)).status).toBe(200);

    const msg = await h.byProviderId(stop.MessageSid!);
    expect(msg.text).toBe(' stop ');
    expect(msg.meta).toMatchObject({ optKeyword: 'STOP', optAction: 'opt_out' });
    expect(await optedOut(phone)).toEqual(['sms']);

    await expect(
      sendReply({ em: db.em() }, userActor(ws.alice.id), {
        conversationId: msg.conversation.id,
        text: 'Wait!',
      }),
    ).rejects.toMatchObject({
      code: 'channel_refused',
      message: expect.stringMatching(/opted out of SMS \(STOP\)/),
      details: { rule: 'R7', reason: 'opted_out' },
    });
  });

  it('R7: a new conversation by SMS to an opted-out number is refused too', async () => {
    const phone = randomPhone();
    await h.postSms(incomingSms(phone, 'UNSUBSCRIBE'));
    const contact = await contactOf(phone);
    await expect(
      startConversation({ em: db.em() }, userActor(ws.alice.id), {
        groupId: ws.group.id,
        contactId: contact.id,
        channel: 'sms',
        text: 'Special offer',
      }),
    ).rejects.toMatchObject({ code: 'channel_refused', details: { rule: 'R7', reason: 'opted_out' } });
  });

  it('R7: a reply queued before the customer sent STOP is not sent; it fails with the reason', async () => {
    const { from, messageId } = await h.queuedReply(ws, 'Your invoice is attached');
    await h.postSms(incomingSms(from, 'STOPALL'));
    const r = await h.deliver(messageId);
    expect(r).toMatchObject({ outcome: 'failed', reason: expect.stringMatching(/opted out of SMS/) });
    expect(h.twilio.requests).toHaveLength(0);
  });

  it('R7: START opts the customer back in, and replies go out again', async () => {
    const phone = randomPhone();
    await h.postSms(incomingSms(phone, 'QUIT'));
    expect(await optedOut(phone)).toEqual(['sms']);
    const start = incomingSms(phone, 'Start');
    await h.postSms(start);
    expect(await optedOut(phone)).toEqual([]);
    const msg = await h.byProviderId(start.MessageSid!);
    expect(msg.meta).toMatchObject({ optKeyword: 'START', optAction: 'opt_in' });
    const reply = await sendReply({ em: db.em() }, userActor(ws.alice.id), {
      conversationId: msg.conversation.id,
      text: 'Welcome back',
    });
    expect((await h.deliver(reply.messageId)).outcome).toBe('sent');
    expect(h.twilio.messages.map((m) => m.body)).toEqual(['Welcome back']);
  });

  it('opting out and back in is audited with the keyword', async () => {
    const phone = randomPhone();
    await h.postSms(incomingSms(phone, 'cancel'));
    const contact = await contactOf(phone);
    const audits = await db.em().find(AuditEvent, { action: 'contact.opted_out' });
    expect(audits.some((a) => a.data.contactId === contact.id && a.data.keyword === 'CANCEL')).toBe(true);
  });

  it('HELP is shown marked and changes nothing', async () => {
    const phone = randomPhone();
    const help = incomingSms(phone, 'help');
    await h.postSms(help);
    expect((await h.byProviderId(help.MessageSid!)).meta).toMatchObject({
      optKeyword: 'HELP',
      optAction: 'help',
    });
    expect(await optedOut(phone)).toEqual([]);
  });

  it('"stop please" and other look-alikes are ordinary messages', async () => {
    const phone = randomPhone();
    for (const body of ['stop please', 'Please STOP', 'STOP!', 'stopping by later']) {
      const form = incomingSms(phone, body);
      await h.postSms(form);
      expect((await h.byProviderId(form.MessageSid!)).meta).not.toHaveProperty('optKeyword');
    }
    expect(await optedOut(phone)).toEqual([]);
  });

  it("a custom keyword Twilio's Advanced Opt-Out matched (OptOutType) opts out too", async () => {
    const phone = randomPhone();
    await h.postSms(incomingSms(phone, 'ARRET', { OptOutType: 'STOP' }));
    expect(await optedOut(phone)).toEqual(['sms']);
  });

  it('a STOP sent twice (a Twilio retry) leaves one message and the customer opted out', async () => {
    const phone = randomPhone();
    const stop = incomingSms(phone, 'STOP');
    await h.postSms(stop);
    await h.postSms(stop);
    expect(await optedOut(phone)).toEqual(['sms']);
    expect(await db.em().count(ContactIdentity, { address: phone })).toBe(1);
  });
});
