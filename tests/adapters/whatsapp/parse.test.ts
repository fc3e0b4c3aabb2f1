import { describe, expect, it } from 'vitest';
import { parseWhatsAppWebhook } from '../../../adapters/channels/whatsapp/parse.ts';
import type { InboundMessageEvent, InboundStatusEvent } from '../../../src/ports/customer-channel.ts';
import { contents, inbound, PHONE_NUMBER_ID, status, webhook } from './payloads.ts';

const bytes = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const one = (payload: unknown) => {
  const events = parseWhatsAppWebhook(bytes(payload));
  expect(events).toHaveLength(1);
  return events[0]!;
};
const message = (payload: unknown) => one(payload) as InboundMessageEvent;
const refusalOf = (payload: unknown) => {
  try {
    parseWhatsAppWebhook(bytes(payload));
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a refusal');
};
const customer = { waId: '16505551234', name: 'Sheena Nelson' };

describe('parsing WhatsApp messages', () => {
  it('a text message comes from the E.164 number, to our phone number id, at Meta time', () => {
    const m = message(inbound(customer, 'text', contents.text, { id: 'wamid.A1', timestamp: '1750275992' }));
    expect(m).toMatchObject({
      type: 'message',
      endpointAddress: PHONE_NUMBER_ID,
      from: { address: '+16505551234', identified: true, name: 'Sheena Nelson' },
      provider: 'whatsapp',
      providerMessageId: 'wamid.A1',
      text: 'Hi! Where is my order? 📦',
    });
    expect(m.receivedAt.toISOString()).toBe('2025-06-18T19:46:32.000Z');
  });

  it('a sender with only a business-scoped user id (no number) is taken by that id; wa_id is not required', () => {
    const m = message(inbound({ userId: 'US.13491208655302741918', name: 'jane' }, 'text', contents.text));
    expect(m.from.address).toBe('US.13491208655302741918');
    expect(m.from.name).toBe('jane');
  });

  it('a number and a user id: the number identifies the sender, the user id is kept', () => {
    const m = message(inbound({ ...customer, userId: 'US.1349' }, 'text', contents.text));
    expect(m.from.address).toBe('+16505551234');
    expect(m.meta).toMatchObject({ whatsappUserId: 'US.1349' });
  });

  it.each([
    ['image', 'image/jpeg', undefined, 'The box arrived like this'],
    ['document', 'application/pdf', 'invoice-1042.pdf', 'My invoice'],
    ['audio', 'audio/ogg; codecs=opus', undefined, undefined],
    ['video', 'video/mp4', undefined, 'Unboxing'],
    ['sticker', 'image/webp', undefined, undefined],
  ] as const)(
    'a %s becomes a pending attachment holding the media id, mime type, name and caption',
    (type, mime, name, caption) => {
      const m = message(inbound(customer, type, contents[type]));
      expect(m.attachments).toHaveLength(1);
      expect(m.attachments![0]).toMatchObject({
        kind: type,
        status: 'pending',
        providerRef: contents[type].id,
        mimeType: mime,
        ...(name ? { name } : {}),
        ...(caption ? { caption } : {}),
      });
      expect(m.text).toBe(caption);
    },
  );

  it('a location keeps its coordinates, name and address', () => {
    const m = message(inbound(customer, 'location', contents.location));
    expect(m.attachments![0]).toMatchObject({
      kind: 'location',
      latitude: 37.483307,
      longitude: -122.148981,
      name: 'Meta Headquarters',
      caption: '1 Hacker Way, Menlo Park, CA 94025',
    });
    expect(m.text).toBe('📍 Meta Headquarters, 1 Hacker Way, Menlo Park, CA 94025');
  });

  it('shared contacts are listed with their numbers and emails', () => {
    const m = message(inbound(customer, 'contacts', contents.contacts));
    expect(m.text).toBe('Shared a contact: Barbara J. Johnson (+1 (940) 555-1234, bjohnson@example.com)');
    expect(m.attachments![0]).toMatchObject({ kind: 'contact', name: 'Barbara J. Johnson' });
  });

  it('a reaction names the emoji and the message it reacts to; an empty emoji is a removed reaction', () => {
    const m = message(inbound(customer, 'reaction', contents.reaction));
    expect(m.text).toBe('Reacted 👍 to a message');
    expect(m.meta).toMatchObject({ reaction: { emoji: '👍', messageId: contents.reaction.message_id } });
    expect(message(inbound(customer, 'reaction', { message_id: 'wamid.X' })).text).toBe('Removed a reaction');
  });

  it('button and list replies show the chosen title and keep its id', () => {
    const b = message(inbound(customer, 'interactive', contents.button_reply));
    expect(b.text).toBe('Track my order');
    expect(b.meta).toMatchObject({ interactive: { type: 'button_reply', id: 'track_order' } });
    const l = message(inbound(customer, 'interactive', contents.list_reply));
    expect(l.text).toBe('Express shipping — Next-day delivery');
    expect(l.meta).toMatchObject({ interactive: { type: 'list_reply', id: 'priority_express' } });
  });

  it('a quick-reply template button shows its text and keeps its payload', () => {
    const m = message(
      inbound(customer, 'button', contents.button, {
        extra: { context: { from: '15550783881', id: 'wamid.T1' } },
      }),
    );
    expect(m.text).toBe('Stop promotions');
    expect(m.meta).toMatchObject({ button: { payload: 'STOP_PROMOS' }, replyTo: 'wamid.T1' });
  });

  it("Meta's own unsupported type and any unknown type become a visible unsupported message", () => {
    const u = message(
      inbound(customer, 'unsupported', undefined, {
        extra: { errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown' }] },
      }),
    );
    expect(u.text).toMatch(/^Unsupported message: .*"unsupported".*Message type unknown/);
    expect(u.meta).toMatchObject({ unsupported: { type: 'unsupported', errorCode: 131051 } });
    const poll = message(inbound(customer, 'poll', { question: 'Best?' }));
    expect(poll.text).toMatch(/^Unsupported message: .*"poll"/);
    // A known type whose content is not as documented is shown too, never dropped.
    expect(message(inbound(customer, 'image', { caption: 'no id' })).text).toMatch(/^Unsupported message/);
    expect(message(inbound(customer, 'interactive', { type: 'nfm_reply', nfm_reply: {} })).text).toMatch(
      /^Unsupported/,
    );
  });
});

describe('parsing WhatsApp statuses', () => {
  it('maps sent, delivered and read, and takes our id back from biz_opaque_callback_data', () => {
    const ours = '0b5f2a9e-3c1d-4e8f-9a7b-6c5d4e3f2a1b';
    const s = one(
      status('wamid.S1', 'delivered', { callback: ours, timestamp: '1750275992' }),
    ) as InboundStatusEvent;
    expect(s).toMatchObject({
      type: 'status',
      providerMessageId: 'wamid.S1',
      state: 'delivered',
      parleyMessageId: ours,
    });
    expect(s.at.toISOString()).toBe('2025-06-18T19:46:32.000Z');
  });

  it("a failure carries Meta's code, title and details as the reason", () => {
    const s = one(
      status('wamid.F1', 'failed', {
        error: {
          code: 131047,
          title: 'Re-engagement message',
          details:
            'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        },
      }),
    ) as InboundStatusEvent;
    expect(s.state).toBe('failed');
    expect(s.reason).toMatch(
      /^More than 24 hours .* template message instead\. \(WhatsApp error 131047: Re-engagement message: Message failed/,
    );
  });

  it('ignores callback data that is not a Parley id, and statuses that are not about delivery', () => {
    expect(
      (one(status('wamid.S2', 'read', { callback: 'campaign-7' })) as InboundStatusEvent).parleyMessageId,
    ).toBeUndefined();
    expect(parseWhatsAppWebhook(bytes(status('wamid.S3', 'deleted')))).toEqual([]);
  });
});

describe('payloads that are not WhatsApp webhooks', () => {
  it('refuses a body that is not JSON, and JSON that is not a whatsapp_business_account webhook', () => {
    expect(refusalOf('object=page&entry=1')).toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/not JSON/),
    });
    const page = refusalOf({ object: 'page', entry: [] });
    expect(page.code).toBe('bad_request');
    expect(page.message).toMatch(/whatsapp_business_account/);
  });

  it('refuses a messages change without its phone number id, naming the field', () => {
    const broken = webhook({ metadata: {} as never, messages: [] });
    expect(refusalOf(broken)).toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/metadata\.phone_number_id/),
    });
  });

  it('acknowledges other webhook fields (template reviews) with no events', () => {
    const review = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'message_template_status_update',
              value: { event: 'APPROVED', message_template_name: 'order_update' },
            },
          ],
        },
      ],
    };
    expect(parseWhatsAppWebhook(bytes(review))).toEqual([]);
  });
});
