import { randomBytes } from 'node:crypto';

/**
 * Webhook bodies shaped like Meta's (WhatsApp Cloud API `messages` field), for tests.
 * Phone numbers come without `+`, timestamps are Unix seconds as strings, ids are wamids.
 */
export const PHONE_NUMBER_ID = 'PNID_SUPPORT';

export const wamid = () => `wamid.${randomBytes(24).toString('base64url')}`;
export const unixNow = (offsetSeconds = 0) => String(Math.floor(Date.now() / 1000) + offsetSeconds);

export interface Sender {
  waId?: string;
  userId?: string;
  name?: string;
}

export interface WebhookValue {
  messaging_product: string;
  metadata: { display_phone_number: string; phone_number_id: string };
  contacts?: Record<string, unknown>[];
  messages?: ({ id: string } & Record<string, unknown>)[];
  statuses?: ({ id: string } & Record<string, unknown>)[];
}
export interface WebhookBody {
  object: string;
  entry: { id: string; changes: { value: WebhookValue; field: string }[] }[];
}

export function webhook(...values: Partial<WebhookValue>[]): WebhookBody {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: values.map((value) => ({
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
            ...value,
          },
          field: 'messages',
        })),
      },
    ],
  };
}

/** One inbound message of `type` with its content object, from `sender`. */
export function inbound(
  sender: Sender,
  type: string,
  content: unknown,
  opts: { id?: string; timestamp?: string; phoneNumberId?: string; extra?: Record<string, unknown> } = {},
) {
  const contact = {
    profile: { name: sender.name ?? 'Sheena Nelson' },
    ...(sender.waId ? { wa_id: sender.waId } : {}),
    ...(sender.userId ? { user_id: sender.userId } : {}),
  };
  const message = {
    ...(sender.waId ? { from: sender.waId } : {}),
    ...(sender.userId ? { from_user_id: sender.userId } : {}),
    id: opts.id ?? wamid(),
    timestamp: opts.timestamp ?? unixNow(),
    type,
    ...(content === undefined ? {} : { [type]: content }),
    ...opts.extra,
  };
  return webhook({
    ...(opts.phoneNumberId
      ? { metadata: { display_phone_number: '15550783881', phone_number_id: opts.phoneNumberId } }
      : {}),
    contacts: [contact],
    messages: [message],
  });
}

export function status(
  id: string,
  state: string,
  opts: {
    recipient?: string;
    callback?: string;
    timestamp?: string;
    error?: { code: number; title: string; details?: string };
  } = {},
) {
  return webhook({
    statuses: [
      {
        id,
        status: state,
        timestamp: opts.timestamp ?? unixNow(),
        recipient_id: opts.recipient ?? '16505551234',
        ...(opts.callback ? { biz_opaque_callback_data: opts.callback } : {}),
        ...(state !== 'failed'
          ? { pricing: { billable: true, pricing_model: 'PMP', category: 'service' } }
          : {}),
        ...(opts.error
          ? {
              errors: [
                {
                  code: opts.error.code,
                  title: opts.error.title,
                  message: opts.error.title,
                  error_data: { details: opts.error.details ?? opts.error.title },
                  href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
                },
              ],
            }
          : {}),
      },
    ],
  });
}

/** Contents of each message type as Meta documents them. */
export const contents = {
  text: { body: 'Hi! Where is my order? 📦' },
  image: {
    caption: 'The box arrived like this',
    mime_type: 'image/jpeg',
    sha256: 'q1Jw1XhBlzbpWlhrkV1TPGkEnY2s+kb/TYIKWfw2tGM=',
    id: '1003383421387256',
  },
  document: {
    caption: 'My invoice',
    filename: 'invoice-1042.pdf',
    mime_type: 'application/pdf',
    sha256: 'Zr1Xn5S1H8L8jx8m3Y3Hq0v2c8zG3x1W4x9bN0Uu3eA=',
    id: '1003383421387257',
  },
  audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'k6D7', id: '1003383421387258', voice: true },
  video: { caption: 'Unboxing', mime_type: 'video/mp4', sha256: 'a8F2', id: '1003383421387259' },
  sticker: { mime_type: 'image/webp', sha256: 'x3P9', id: '1003383421387260', animated: false },
  location: {
    address: '1 Hacker Way, Menlo Park, CA 94025',
    latitude: 37.483307,
    longitude: -122.148981,
    name: 'Meta Headquarters',
    url: 'https://meta.com',
  },
  contacts: [
    {
      name: { formatted_name: 'Barbara J. Johnson', first_name: 'Barbara', last_name: 'Johnson' },
      phones: [{ phone: '+1 (940) 555-1234', type: 'HOME', wa_id: '19405551234' }],
      emails: [{ email: 'bjohnson@example.com', type: 'WORK' }],
    },
  ],
  reaction: { message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MTE5MjVBOTE3MDk5QUVFM0YA', emoji: '👍' },
  button_reply: { type: 'button_reply', button_reply: { id: 'track_order', title: 'Track my order' } },
  list_reply: {
    type: 'list_reply',
    list_reply: { id: 'priority_express', title: 'Express shipping', description: 'Next-day delivery' },
  },
  button: { payload: 'STOP_PROMOS', text: 'Stop promotions' },
} as const;
