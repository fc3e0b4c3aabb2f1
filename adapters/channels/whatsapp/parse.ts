import { z } from 'zod';
import { AppError } from '../../../src/domain/errors.ts';
import type {
  InboundEvent,
  InboundMessageEvent,
  InboundStatusEvent,
} from '../../../src/ports/customer-channel.ts';
import { whatsAppReason } from './errors.ts';
import { messageContent } from './message-content.ts';

/**
 * Meta's `whatsapp_business_account` webhook: `entry[].changes[]`, each with `field` and `value`.
 * Only the `messages` field carries customer messages and delivery statuses; other fields
 * (template reviews, account updates) are acknowledged and ignored.
 */
export const PROVIDER = 'whatsapp';

const contactSchema = z.object({
  wa_id: z.string().optional(),
  // Business-scoped user id (BSUID): Meta's id for users who hide their number behind a username.
  user_id: z.string().optional(),
  profile: z.object({ name: z.string().optional(), username: z.string().optional() }).optional(),
});
const errorSchema = z.object({
  code: z.number().optional(),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.object({ details: z.string().optional() }).optional(),
});
const messageSchema = z
  .object({
    id: z.string().min(1),
    type: z.string().min(1),
    from: z.string().optional(),
    from_user_id: z.string().optional(),
    timestamp: z.union([z.string(), z.number()]).optional(),
    context: z.object({ id: z.string().optional() }).optional(),
    errors: z.array(errorSchema).optional(),
  })
  .loose();
const statusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  biz_opaque_callback_data: z.string().optional(),
  errors: z.array(errorSchema).optional(),
});
const messagesValueSchema = z.object({
  metadata: z.object({ phone_number_id: z.string().min(1) }),
  contacts: z.array(contactSchema).optional(),
  messages: z.array(messageSchema).optional(),
  statuses: z.array(statusSchema).optional(),
});
const envelopeSchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      id: z.string().optional(),
      changes: z.array(z.object({ field: z.string(), value: z.unknown() })),
    }),
  ),
});

type Contact = z.infer<typeof contactSchema>;
type WaMessage = z.infer<typeof messageSchema>;
type WaStatus = z.infer<typeof statusSchema>;

/** Turns the raw webhook body into events; throws a 4xx AppError (nothing written) when it is not one. */
export function parseWhatsAppWebhook(body: Uint8Array, now = new Date()): InboundEvent[] {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new AppError('bad_request', 'The body is not JSON; a WhatsApp webhook is a JSON document.');
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    throw new AppError(
      'bad_request',
      'This is not a WhatsApp Business webhook: expected {"object":"whatsapp_business_account","entry":[...]}.',
    );
  }
  const events: InboundEvent[] = [];
  for (const entry of envelope.data.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') continue;
      const value = messagesValueSchema.safeParse(change.value);
      if (!value.success) {
        const where = value.error.issues[0]?.path.join('.') ?? '';
        throw new AppError(
          'validation_failed',
          `The WhatsApp "messages" change is malformed${where ? ` at ${where}` : ''}: ${value.error.issues[0]?.message}.`,
        );
      }
      const { metadata, contacts = [], messages = [], statuses = [] } = value.data;
      for (const m of messages) events.push(toMessage(metadata.phone_number_id, m, contacts, now));
      for (const s of statuses) {
        const status = toStatus(s, now);
        if (status) events.push(status);
      }
    }
  }
  return events;
}

function toMessage(
  endpointAddress: string,
  m: WaMessage,
  contacts: Contact[],
  now: Date,
): InboundMessageEvent {
  const contact =
    contacts.find((c) => (c.wa_id && c.wa_id === m.from) || (c.user_id && c.user_id === m.from_user_id)) ??
    (contacts.length === 1 ? contacts[0] : undefined);
  // Not every sender has a phone number any more (usernames): take whatever id Meta gives.
  const senderId = m.from ?? contact?.wa_id ?? m.from_user_id ?? contact?.user_id;
  if (!senderId) {
    throw new AppError(
      'validation_failed',
      `WhatsApp message ${m.id} names no sender (from, wa_id or user_id).`,
    );
  }
  const content = messageContent(m);
  const userId = m.from_user_id ?? contact?.user_id;
  const meta = {
    ...content.meta,
    ...(m.context?.id ? { replyTo: m.context.id } : {}),
    ...(userId && userId !== senderId ? { whatsappUserId: userId } : {}),
  };
  const name = contact?.profile?.name ?? contact?.profile?.username;
  return {
    type: 'message',
    endpointAddress,
    from: { address: whatsAppAddress(senderId), identified: true, ...(name ? { name } : {}) },
    provider: PROVIDER,
    providerMessageId: m.id,
    ...(content.text !== undefined ? { text: content.text } : {}),
    ...(content.attachments ? { attachments: content.attachments } : {}),
    receivedAt: timeOf(m.timestamp, now),
    ...(Object.keys(meta).length > 0 ? { meta } : {}),
  };
}

const states = new Set(['sent', 'delivered', 'read', 'failed']);

function toStatus(s: WaStatus, now: Date): InboundStatusEvent | null {
  // Other statuses (deleted, warning, played) say nothing about delivery.
  if (!states.has(s.status)) return null;
  const error = s.errors?.[0];
  const ours = s.biz_opaque_callback_data;
  return {
    type: 'status',
    provider: PROVIDER,
    providerMessageId: s.id,
    state: s.status as InboundStatusEvent['state'],
    ...(s.status === 'failed'
      ? { reason: whatsAppReason(error?.code, error?.title, error?.error_data?.details ?? error?.message) }
      : {}),
    // Only our own ids: another app on the same number may use the field for its own data.
    ...(ours && z.uuid().safeParse(ours).success ? { parleyMessageId: ours } : {}),
    at: timeOf(s.timestamp, now),
  };
}

/** A phone number becomes E.164 (`+15551234567`), the form SMS uses too (R3); a BSUID stays as is. */
export function whatsAppAddress(id: string): string {
  const digits = id.replace(/[\s-]/g, '');
  return /^\+?\d{6,20}$/.test(digits) ? `+${digits.replace(/^\+/, '')}` : id;
}

const timeOf = (ts: string | number | undefined, now: Date): Date => {
  const seconds = Number(ts);
  return ts !== undefined && Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000) : now;
};
