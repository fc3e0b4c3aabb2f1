import { z } from 'zod';
import type { Attachment } from '../../../src/db/entities/index.ts';

/**
 * What a customer's WhatsApp message says, in Parley's terms: text, attachments (media stay at
 * Meta until the fetch-media job downloads them) and facts for agents in `meta`. A type Parley
 * does not know, or a known type whose content is not as documented, becomes a visible
 * "unsupported message" line: a customer message is never dropped.
 */
export interface MessageContent {
  text?: string;
  attachments?: Attachment[];
  meta?: Record<string, unknown>;
}

const media = z.object({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
});
const location = z.object({
  latitude: z.coerce.number().min(-90).max(90),
  longitude: z.coerce.number().min(-180).max(180),
  name: z.string().optional(),
  address: z.string().optional(),
  url: z.string().optional(),
});
const contactCard = z.object({
  name: z.object({ formatted_name: z.string().optional(), first_name: z.string().optional() }).optional(),
  phones: z.array(z.object({ phone: z.string().optional(), wa_id: z.string().optional() })).optional(),
  emails: z.array(z.object({ email: z.string().optional() })).optional(),
});
const reply = z.object({ id: z.string(), title: z.string(), description: z.string().optional() });
const contentSchemas = {
  text: z.object({ body: z.string() }),
  image: media,
  video: media,
  audio: media,
  sticker: media,
  document: media,
  location,
  contacts: z.array(contactCard).min(1),
  reaction: z.object({ message_id: z.string().optional(), emoji: z.string().optional() }),
  interactive: z.object({
    type: z.string(),
    button_reply: reply.optional(),
    list_reply: reply.optional(),
  }),
  button: z.object({ text: z.string(), payload: z.string().optional() }),
  system: z.object({ body: z.string().min(1), type: z.string().optional() }),
} as const;

type Known = keyof typeof contentSchemas;
type Payload<K extends Known> = z.infer<(typeof contentSchemas)[K]>;

export interface WhatsAppMessageLike {
  type: string;
  errors?: { code?: number; title?: string }[];
  [key: string]: unknown;
}

const isKnown = (type: string): type is Known => Object.hasOwn(contentSchemas, type);

export function messageContent(msg: WhatsAppMessageLike): MessageContent {
  if (!isKnown(msg.type)) return unsupported(msg);
  const parsed = contentSchemas[msg.type].safeParse(msg[msg.type]);
  if (!parsed.success) return unsupported(msg);
  const content = describe(msg.type, parsed.data);
  return content ?? unsupported(msg);
}

function describe<K extends Known>(type: K, data: Payload<K>): MessageContent | null {
  switch (type) {
    case 'text':
      return { text: (data as Payload<'text'>).body };
    case 'image':
    case 'video':
    case 'audio':
    case 'sticker':
    case 'document':
      return mediaContent(type, data as Payload<'image'>);
    case 'location': {
      const l = data as Payload<'location'>;
      const place = [l.name, l.address].filter(Boolean).join(', ');
      const attachment: Attachment = {
        id: crypto.randomUUID(),
        kind: 'location',
        latitude: l.latitude,
        longitude: l.longitude,
        ...(l.name ? { name: l.name } : {}),
        ...(l.address ? { caption: l.address } : {}),
      };
      return { text: place ? `📍 ${place}` : undefined, attachments: [attachment] };
    }
    case 'contacts':
      return contactsContent(data as Payload<'contacts'>);
    case 'reaction': {
      const r = data as Payload<'reaction'>;
      const meta = { reaction: { emoji: r.emoji ?? null, messageId: r.message_id ?? null } };
      // An empty emoji is Meta's way of saying the customer took a reaction back.
      return { text: r.emoji ? `Reacted ${r.emoji} to a message` : 'Removed a reaction', meta };
    }
    case 'interactive': {
      const i = data as Payload<'interactive'>;
      const choice =
        i.type === 'button_reply' ? i.button_reply : i.type === 'list_reply' ? i.list_reply : undefined;
      if (!choice) return null;
      const text = choice.description ? `${choice.title} — ${choice.description}` : choice.title;
      return { text, meta: { interactive: { type: i.type, id: choice.id } } };
    }
    case 'button': {
      const b = data as Payload<'button'>;
      return { text: b.text, meta: { button: { payload: b.payload ?? null } } };
    }
    case 'system': {
      const s = data as Payload<'system'>;
      return { text: s.body, meta: { system: { type: s.type ?? null } } };
    }
  }
  return null;
}

function mediaContent(kind: Attachment['kind'], m: Payload<'image'>): MessageContent {
  const attachment: Attachment = {
    id: crypto.randomUUID(),
    kind,
    providerRef: m.id,
    status: 'pending',
    ...(m.mime_type ? { mimeType: m.mime_type } : {}),
    ...(m.filename ? { name: m.filename } : {}),
    ...(m.caption ? { caption: m.caption } : {}),
  };
  // The caption is also the message text, so search (R10) and every surface show it.
  return { text: m.caption || undefined, attachments: [attachment] };
}

function contactsContent(cards: Payload<'contacts'>): MessageContent {
  const attachments: Attachment[] = cards.map((c) => {
    const name = c.name?.formatted_name ?? c.name?.first_name ?? 'Contact';
    const reach = [...(c.phones ?? []).map((p) => p.phone), ...(c.emails ?? []).map((e) => e.email)];
    const caption = reach.filter(Boolean).join(', ');
    return { id: crypto.randomUUID(), kind: 'contact', name, ...(caption ? { caption } : {}) };
  });
  const lines = attachments.map((a) => (a.caption ? `${a.name} (${a.caption})` : a.name));
  return {
    text: `Shared ${lines.length === 1 ? 'a contact' : 'contacts'}: ${lines.join('; ')}`,
    attachments,
  };
}

function unsupported(msg: WhatsAppMessageLike): MessageContent {
  const said = msg.errors?.[0]?.title;
  return {
    text: `Unsupported message: the customer sent a WhatsApp "${msg.type}" message that Parley cannot show${said ? ` (${said})` : ''}. Ask them to send it as text, a photo or a file.`,
    meta: { unsupported: { type: msg.type, errorCode: msg.errors?.[0]?.code ?? null } },
  };
}
