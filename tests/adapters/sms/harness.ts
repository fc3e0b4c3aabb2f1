import { randomInt } from 'node:crypto';
import { beforeEach } from 'vitest';
import { smsAdapter } from '../../../adapters/channels/sms/index.ts';
import { Message } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { deliverMessage } from '../../../src/use-cases/deliver-message.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import {
  ACCOUNT_SID,
  AUTH_TOKEN,
  messageSid,
  TWILIO_URL,
  type TwilioFormOptions,
  twilioFake,
  twilioWebhook,
} from '../../support/fakes/twilio.ts';
import type { Workspace } from '../../support/fixtures.ts';
import { useMsw } from '../../support/msw.ts';
import { createTestApp } from '../../support/test-app.ts';
import type { TestDb } from '../../support/test-db.ts';

export const PUBLIC_URL = 'https://parley.test';
/** The seeded workspace's SMS number (tests/support/fixtures.ts). */
export const OUR_NUMBER = '+15550001111';

/** A customer's number, different in every test. */
export const randomPhone = () => `+1555${randomInt(1_000_000, 9_999_999)}`;

/** The form Twilio posts for an incoming SMS, with its usual extra fields. */
export function incomingSms(
  from: string,
  body: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const sid = messageSid();
  return {
    ToCountry: 'US',
    ToState: 'CA',
    SmsMessageSid: sid,
    NumMedia: '0',
    ToCity: '',
    FromZip: '94105',
    SmsSid: sid,
    FromState: 'CA',
    SmsStatus: 'received',
    FromCity: 'SAN FRANCISCO',
    Body: body,
    FromCountry: 'US',
    To: OUR_NUMBER,
    MessagingServiceSid: '',
    ToZip: '',
    NumSegments: '1',
    MessageSid: sid,
    AccountSid: ACCOUNT_SID,
    From: from,
    ApiVersion: '2010-04-01',
    ...extra,
  };
}

/** The real app with the SMS adapter mounted against the Twilio fake; call at the top of a test file. */
export function smsHarness(db: TestDb, opts: { storage?: Storage } = {}) {
  const twilio = twilioFake();
  const server = useMsw(...twilio.handlers);
  const t = createTestApp({
    db,
    modules: [smsAdapter],
    storage: opts.storage,
    env: {
      PUBLIC_URL,
      TWILIO_API_URL: TWILIO_URL,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    },
  });
  beforeEach(() => twilio.reset());

  /**
   * POSTs a webhook form the way Twilio does: signed for PUBLIC_URL + path unless `signature`
   * says otherwise (null: no header; a string: that header).
   */
  const post = (path: string, params: Record<string, string>, opts: TwilioFormOptions = {}) =>
    t.app.request(path, twilioWebhook(PUBLIC_URL, path, params, opts));
  const postSms = (params: Record<string, string>, o?: Parameters<typeof post>[2]) =>
    post('/webhooks/twilio/sms', params, o);
  const postStatus = (params: Record<string, string>, query = '', o?: Parameters<typeof post>[2]) =>
    post(`/webhooks/twilio/status${query}`, params, o);

  const deliver = (messageId: string, now?: Date) =>
    deliverMessage({ em: db.em(), channels: t.channels, ...(now ? { now: () => now } : {}) }, messageId);
  const messageCount = () => db.em().count(Message, {});
  const byProviderId = (providerMessageId: string) =>
    db.em().findOneOrFail(Message, { provider: 'sms', providerMessageId }, { populate: ['conversation'] });
  const load = (id: string) => db.em().findOneOrFail(Message, id);

  /** A customer texts in, and Alice replies: the reply is queued for delivery. */
  const queuedReply = async (ws: Workspace, text: string, extra: { attachments?: unknown[] } = {}) => {
    const from = randomPhone();
    const inbound = incomingSms(from, 'Hello, is my order on its way?');
    const res = await postSms(inbound);
    if (res.status !== 200) throw new Error(`inbound failed: ${res.status} ${await res.text()}`);
    const conv = (await byProviderId(inbound.MessageSid!)).conversation;
    const reply = await sendReply({ em: db.em() }, userActor(ws.alice.id), {
      conversationId: conv.id,
      text,
      ...(extra.attachments ? { attachments: extra.attachments as never } : {}),
    });
    return { from, conversationId: conv.id, messageId: reply.messageId };
  };

  return {
    ...t,
    twilio,
    server,
    post,
    postSms,
    postStatus,
    deliver,
    messageCount,
    byProviderId,
    load,
    queuedReply,
    channel: t.channels.get('sms')!,
  };
}

/** The `{ error }` body every refusal carries. */
export async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return body.error;
}
