import { beforeAll, describe, expect, it } from 'vitest';
import { ChannelEndpoint, Contact, ContactIdentity, Message, User } from '../../src/db/entities/index.ts';
import { inbound } from '../adapters/whatsapp/payloads.ts';
import { callAs, expectJson } from '../http/conversations-api-support.ts';
import { ADMIN_TOKEN } from '../http/helpers.ts';
import { ACCOUNT_SID } from '../support/fakes/twilio.ts';
import { seedContact, seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * R8 end to end: a broadcast created through the admin API as Bob, sent by the real broadcast and
 * deliver workers to the Twilio and Meta fakes, its progress drawn in Bob's direct messages with
 * the Slack app and edited in place as it moves.
 */
const db = await createTestDb();
const h = slackHarness(db, { sms: true, env: { ADMIN_API_TOKEN: ADMIN_TOKEN } });
let ws: Workspace;
let bob: User;
/** The first test's broadcast, which the access test looks for as another group's user. */
let smsBroadcastId = '';

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.bob.id }, { slackUserId: 'U_BOB' });
  bob = await db.em().findOneOrFail(User, ws.bob.id);
  // SMS numbers send 1 message a second by default; this one is faster, so the test is short.
  await db.em().nativeUpdate(ChannelEndpoint, { id: ws.sms.id }, { settings: { sendRatePerSecond: 10 } });
  await db
    .em()
    .nativeUpdate(
      ChannelEndpoint,
      { id: ws.whatsapp.id },
      { settings: { templates: [{ name: 'new_stock', language: 'en', parameters: [] }] } },
    );
});

/** Bob's progress message in his direct messages with the app (posted once, then edited). */
const progressPosts = () =>
  h.slack.posts.filter((p) => p.channel === 'U_BOB' && p.text.startsWith('Broadcast to'));

describe('broadcasts through the admin API, sent by the workers, followed in Slack', () => {
  it('R8, R7: a tag with an opted-out and an SMS-less contact: the preview counts them, the others get exactly one SMS each, and the progress shows the reasons and the delivery', {
    timeout: 60_000,
  }, async () => {
    const em = db.em();
    const reached = [];
    for (let i = 0; i < 3; i++)
      reached.push(await seedContact(em, ws.account, { name: `Fan ${i}`, tags: ['spring'] }));
    const stopped = await seedContact(em, ws.account, { name: 'Stopped Fan', tags: ['spring'] });
    await em.nativeUpdate(Contact, { id: stopped.contact.id }, { optedOutChannels: ['sms'] });
    const noSms = await seedContact(em, ws.account, { name: 'WhatsApp-only Fan', tags: ['spring'] });
    await em.nativeDelete(ContactIdentity, { contact: noSms.contact.id, channel: 'sms' });
    const body = {
      groupId: ws.group.id,
      endpointId: ws.sms.id,
      text: 'Spring sale: 20% off today 🌷',
      target: { tag: 'spring' },
    };

    const preview = await expectJson(await callAs(h.app, bob, 'POST', '/broadcasts/preview', body));
    expect(preview).toEqual({
      total: 5,
      willReceive: 3,
      leftOut: expect.arrayContaining([
        { reason: 'opted_out', label: expect.stringContaining('opted out'), count: 1 },
        { reason: 'no_identity_on_channel', label: expect.stringContaining('no SMS'), count: 1 },
      ]),
    });
    // The preview sends and writes nothing.
    expect(h.twilio.messages).toHaveLength(0);

    const created = await expectJson<{ broadcastId: string }>(
      await callAs(h.app, bob, 'POST', '/broadcasts', body),
      202,
    );
    expect(created).toMatchObject({ total: 5, queued: 3, refused: 2 });
    smsBroadcastId = created.broadcastId;

    await eventually(() => h.twilio.messages.length >= 3, 20_000);
    await settled(h.services);
    // Exactly one SMS per reached contact, from the group's number, with the text; none to the others.
    expect(h.twilio.messages.map((m) => m.to).sort()).toEqual(reached.map((r) => r.phone).sort());
    expect(h.twilio.messages.every((m) => m.from === '+15550001111' && m.body === body.text)).toBe(true);

    const progress = await expectJson<Record<string, unknown>>(
      await callAs(h.app, bob, 'GET', `/broadcasts/${created.broadcastId}`),
    );
    expect(progress).toMatchObject({
      state: 'finished',
      total: 5,
      queued: 0,
      sent: 3,
      refused: 2,
      failed: 0,
    });
    expect(progress.recipients).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          contactId: stopped.contact.id,
          result: 'refused',
          reason: expect.stringContaining('opted out of SMS'),
        }),
        expect.objectContaining({
          contactId: noSms.contact.id,
          result: 'refused',
          reason: expect.stringContaining('no SMS address'),
        }),
      ]),
    );

    // Bob sees one progress message, edited to the end, with the reasons.
    expect(progressPosts()).toHaveLength(1);
    const shown = progressPosts()[0]!;
    expect(shown.text).toContain('finished');
    expect(shown.text).toContain('3 sent');
    expect(shown.text).toContain('2 left out');
    expect(JSON.stringify(shown.blocks)).toContain('opted out of SMS');

    // Twilio reports one delivered: the message moves on in place.
    const first = h.twilio.messages[0]!;
    const callback = new URL(first.form.get('StatusCallback')!);
    const status = {
      MessageSid: first.sid,
      SmsSid: first.sid,
      SmsStatus: 'delivered',
      MessageStatus: 'delivered',
      AccountSid: ACCOUNT_SID,
      From: String(first.from),
      To: first.to,
      ApiVersion: '2010-04-01',
    };
    expect((await h.twilioStatus(callback.toString(), status)).status).toBe(204);
    await eventually(() => progressPosts()[0]?.text.includes('1 delivered'));
    await settled(h.services);
    expect(progressPosts()).toHaveLength(1);
    expect(h.twilio.messages).toHaveLength(3);

    // Bob deletes the message; the next change posts a new one in its place.
    h.slack.posts.splice(h.slack.posts.indexOf(progressPosts()[0]!), 1);
    const second = h.twilio.messages[1]!;
    const undelivered = { ...status, MessageSid: second.sid, SmsSid: second.sid, To: second.to };
    const failed = {
      ...undelivered,
      SmsStatus: 'undelivered',
      MessageStatus: 'undelivered',
      ErrorCode: '30003',
    };
    const secondCallback = new URL(second.form.get('StatusCallback')!);
    expect((await h.twilioStatus(secondCallback.toString(), failed)).status).toBe(204);
    await eventually(() => progressPosts()[0]?.text.includes('1 failed'));
    await settled(h.services);
    expect(progressPosts()).toHaveLength(1);
  });

  it('R8, R7: a free-form WhatsApp broadcast reaches only the contact inside the 24-hour window; a template reaches both', {
    timeout: 60_000,
  }, async () => {
    const res = await h.whatsappWebhook(
      inbound({ waId: '15550303030', name: 'Wendy' }, 'text', { body: 'Hi!' }),
    );
    expect(res.status).toBe(200);
    await settled(h.services);
    const em = db.em();
    const wrote = await em.findOneOrFail(ContactIdentity, { channel: 'whatsapp', address: '+15550303030' });
    await em.nativeUpdate(Contact, { id: wrote.contact.id }, { tags: ['wa-news'] });
    const silent = await seedContact(em, ws.account, { name: 'Quiet Quinn', tags: ['wa-news'] });
    const before = h.graph.sent.length;

    const freeForm = {
      groupId: ws.group.id,
      endpointId: ws.whatsapp.id,
      text: 'New stock!',
      target: { tag: 'wa-news' },
    };
    const preview = await expectJson(await callAs(h.app, bob, 'POST', '/broadcasts/preview', freeForm));
    expect(preview).toEqual({
      total: 2,
      willReceive: 1,
      leftOut: [{ reason: 'outside_whatsapp_window', label: expect.stringContaining('24-hour'), count: 1 }],
    });
    const sent = await expectJson<{ broadcastId: string }>(
      await callAs(h.app, bob, 'POST', '/broadcasts', freeForm),
      202,
    );
    await eventually(() => h.graph.sent.length > before);
    await settled(h.services);
    const textSends = h.graph.sent.slice(before);
    expect(textSends.map((s) => [s.body.to, s.body.type])).toEqual([['15550303030', 'text']]);
    const progress = await expectJson<{ reasons: { reason: string; count: number }[] }>(
      await callAs(h.app, bob, 'GET', `/broadcasts/${sent.broadcastId}`),
    );
    expect(progress.reasons).toEqual([
      expect.objectContaining({ reason: 'outside_whatsapp_window', count: 1 }),
    ]);

    const template = {
      ...freeForm,
      text: undefined,
      template: { name: 'new_stock', language: 'en', parameters: [] },
    };
    const second = h.graph.sent.length;
    await expectJson(await callAs(h.app, bob, 'POST', '/broadcasts', template), 202);
    await eventually(() => h.graph.sent.length >= second + 2);
    await settled(h.services);
    const templateSends = h.graph.sent.slice(second);
    expect(templateSends.map((s) => s.body.type)).toEqual(['template', 'template']);
    expect(templateSends.map((s) => String(s.body.to)).sort()).toEqual(
      ['15550303030', silent.phone.replace('+', '')].sort(),
    );
    const messages = await db.em().count(Message, { meta: { broadcastId: sent.broadcastId } });
    expect(messages).toBe(1);
  });

  it('R8, R33: a user outside the group cannot see or send a broadcast of it; bad input is refused with the shared error shape', async () => {
    const body = { groupId: ws.group.id, endpointId: ws.sms.id, text: 'x', target: { tag: 'spring' } };
    const carol = await db.em().findOneOrFail(User, ws.carol.id);
    const refused = await expectJson<{ error: { code: string } }>(
      await callAs(h.app, carol, 'POST', '/broadcasts', body),
      403,
    );
    expect(refused.error.code).toBe('forbidden');
    // Another group's user is told the broadcast does not exist; a member sees it.
    const hidden = await expectJson<{ error: { code: string } }>(
      await callAs(h.app, carol, 'GET', `/broadcasts/${smsBroadcastId}`),
      404,
    );
    expect(hidden.error.code).toBe('not_found');
    const alice = await db.em().findOneOrFail(User, ws.alice.id);
    expect(
      await expectJson(await callAs(h.app, alice, 'GET', `/broadcasts/${smsBroadcastId}`)),
    ).toMatchObject({
      total: 5,
    });
    const bad = await expectJson<{ error: { code: string; message: string } }>(
      await callAs(h.app, bob, 'POST', '/broadcasts', { ...body, text: undefined }),
      422,
    );
    expect(bad.error).toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('needs text'),
    });
    const unknown = await expectJson<{ error: { code: string } }>(
      await callAs(h.app, bob, 'GET', '/broadcasts/6f1c7f0e-9a51-4b0a-9a5e-5d1f7b6c2a10'),
      404,
    );
    expect(unknown.error.code).toBe('not_found');
    await settled(h.services);
  });
});
