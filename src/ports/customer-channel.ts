import type { Attachment, TemplateRef } from '../db/entities/index.ts';

/**
 * The customer side of Parley: one implementation per channel (adapters/channels/<name>/).
 * The core never names a vendor; it picks an adapter from a ChannelRegistry by channel name.
 */

/** The raw bytes of a webhook, as received, so signatures are checked on exactly what was sent. */
export interface RawRequest {
  method: string;
  /** The public URL the provider called (PUBLIC_URL + path + query), not the socket's address. */
  url: string;
  headers: Headers;
  body: Uint8Array;
}

export interface InboundMessageEvent {
  type: 'message';
  endpointAddress: string;
  from: { address: string; identified: boolean; name?: string };
  provider: string;
  providerMessageId: string;
  text?: string;
  attachments?: Attachment[];
  receivedAt: Date;
  meta?: Record<string, unknown>;
}

export interface InboundStatusEvent {
  type: 'status';
  provider: string;
  providerMessageId: string;
  state: 'sent' | 'delivered' | 'read' | 'failed';
  reason?: string;
  /** Our message id when the provider echoes it back (WhatsApp biz_opaque_callback_data). */
  parleyMessageId?: string;
  at: Date;
}

/** SMS STOP/START (and the like): the contact's opt-out state on this channel changes (R7). */
export interface InboundOptChangeEvent {
  type: 'opt_change';
  endpointAddress: string;
  address: string;
  optedOut: boolean;
  keyword: string;
  at: Date;
}

export type InboundEvent = InboundMessageEvent | InboundStatusEvent | InboundOptChangeEvent;

export interface OutboundMessage {
  messageId: string;
  endpoint: { address: string; settings: Record<string, unknown> };
  to: { address: string };
  text?: string;
  attachments?: Attachment[];
  template?: TemplateRef;
  /**
   * R42: the message asks the customer to rate the conversation 1–5. A channel with choices
   * (WhatsApp's list) offers them, each answering with `csat:<surveyId>:<rating>`; others send the text.
   */
  survey?: { id: string };
}

export interface SendResult {
  providerMessageId: string;
  meta?: Record<string, unknown>;
}

/**
 * How a failed send should be treated: retried later (the provider certainly did not take it),
 * failed at once with the provider's reason, or `unknown` — the request may have reached the
 * provider (a timeout after sending): never re-sent blindly; the message stays `sending` until a
 * status callback or `lookupSent` settles it, or fails visibly when its lease runs out.
 */
export type SendFailure =
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  /** `optedOut`: the provider says the customer unsubscribed (Twilio 21610); Parley records it. */
  | { kind: 'permanent'; reason: string; optedOut?: boolean }
  | { kind: 'unknown'; reason: string };

export interface CustomerChannel {
  readonly name: string;
  /** Throws AppError('signature_invalid') when the request is not from the provider. */
  verify(req: RawRequest): void | Promise<void>;
  parse(req: RawRequest): InboundEvent[] | Promise<InboundEvent[]>;
  send(out: OutboundMessage): Promise<SendResult>;
  classify(error: unknown): SendFailure;
  /**
   * After a send whose outcome is unknown (the worker stopped between the provider accepting and
   * our commit), whether the provider already has this message. Channels that cannot tell omit it.
   */
  lookupSent?(out: OutboundMessage): Promise<SendResult | null>;
  /**
   * Downloads an inbound attachment the provider holds (WhatsApp media id, Twilio MediaUrl).
   * Called by the fetch-media worker, never in the webhook request.
   */
  fetchMedia?(
    attachment: Attachment,
    endpoint: { address: string; settings: Record<string, unknown> },
  ): Promise<FetchedMedia>;
}

export interface FetchedMedia {
  data: Uint8Array;
  mimeType?: string;
  name?: string;
}

export type ChannelRegistry = ReadonlyMap<string, CustomerChannel>;
