/**
 * The payment provider (R38), behind one small port: adapters/payments/stripe/ implements it with
 * the `stripe` SDK. An invoice or checkout becomes one hosted payment page (its pay link); the
 * provider's signed events say whether it was paid, expired or failed. The core never sees the
 * vendor's shapes.
 */

export interface PaymentLineItem {
  description: string;
  quantity: number;
  unitAmountMinor: number;
}

export interface PaymentSessionRequest {
  kind: 'invoice' | 'checkout';
  /** Parley's invoice or checkout id. */
  id: string;
  /** What the customer sees as the payment's name (the invoice reference, "Checkout"). */
  reference: string;
  currency: string;
  items: PaymentLineItem[];
  expiresAt: Date;
  /** Parley's ids, returned with the provider's events (invoiceId or checkoutId, conversationId, accountId). */
  metadata: Record<string, string>;
  /** The same key gives the same session: a retried call never opens a second one. */
  idempotencyKey: string;
}

export interface PaymentSession {
  sessionId: string;
  url: string;
  expiresAt: Date;
}

/** A verified provider event, reduced to what Parley acts on. */
export interface PaymentProviderEvent {
  /** The provider's event id: the same event delivered twice is applied once. */
  eventId: string;
  /** The provider's own type (`checkout.session.completed`), kept for the record. */
  type: string;
  /** What it means for the invoice or checkout; `ignored` for types Parley does not act on. */
  outcome: 'paid' | 'processing' | 'expired' | 'failed' | 'ignored';
  sessionId: string | null;
  invoiceId: string | null;
  checkoutId: string | null;
  /** When the provider created the event. */
  createdAt: Date;
}

/** Why a session could not be opened: worth another try later, or not (the reason is shown in the thread). */
export class PaymentProviderError extends Error {
  readonly retryable: boolean;
  constructor(message: string, opts: { retryable: boolean }) {
    super(message);
    this.name = 'PaymentProviderError';
    this.retryable = opts.retryable;
  }
}

/** The signature (or timestamp) of an event did not verify; nothing of it is recorded. */
export class PaymentSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PaymentSignatureError';
  }
}

export interface PaymentProvider {
  readonly name: string;
  /** The request header carrying the event's signature (`stripe-signature`). */
  readonly signatureHeader: string;
  /** Opens the hosted payment page; throws PaymentProviderError (nothing else) when it cannot. */
  createPaymentSession(request: PaymentSessionRequest): Promise<PaymentSession>;
  /** Closes a session so its link can no longer be paid; one already completed or expired is left as it is. */
  expirePaymentSession(sessionId: string): Promise<void>;
  /**
   * Verifies an event on its raw bytes and parses it. Pure: the same (body, signature, now) gives
   * the same answer. Throws PaymentSignatureError when it does not verify.
   */
  verifyEvent(rawBody: Uint8Array | string, signature: string | undefined, now: Date): PaymentProviderEvent;
}
