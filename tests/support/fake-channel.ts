import type { CustomerChannel, OutboundMessage, SendFailure } from '../../src/ports/customer-channel.ts';

/**
 * A customer channel that records what it was asked to send. Tests script its answers; it stands
 * in for a vendor adapter where the test is about the machinery, not the vendor.
 */
export class TransientSendError extends Error {
  retryAfterMs?: number;
  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}
export class PermanentSendError extends Error {}
export class UnknownOutcomeError extends Error {}

export function recordingChannel(name = 'whatsapp') {
  const sent: OutboundMessage[] = [];
  const script: (() => Promise<void>)[] = [];
  let providerHas: Set<string> | null = null;
  const channel: CustomerChannel & { lookupSent?: CustomerChannel['lookupSent'] } = {
    name,
    verify: () => {},
    parse: () => [],
    send: async (out) => {
      const next = script.shift();
      if (next) await next();
      sent.push(out);
      return { providerMessageId: `${name}.${out.messageId}` };
    },
    classify: (err): SendFailure => {
      if (err instanceof TransientSendError)
        return { kind: 'retry', reason: err.message, retryAfterMs: err.retryAfterMs };
      if (err instanceof UnknownOutcomeError) return { kind: 'unknown', reason: err.message };
      return { kind: 'permanent', reason: err instanceof Error ? err.message : String(err) };
    },
  };
  return {
    channel,
    sent,
    /** The next send runs `step` first (throw to fail it, await to slow it). */
    onNextSend: (step: () => Promise<void>) => script.push(step),
    /** Makes the channel able to tell whether a message reached the provider. */
    enableLookup: (has: Set<string>) => {
      providerHas = has;
      channel.lookupSent = async (out) =>
        providerHas?.has(out.messageId) ? { providerMessageId: `${name}.${out.messageId}` } : null;
    },
  };
}
