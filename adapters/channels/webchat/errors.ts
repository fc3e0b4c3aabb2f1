import type { SendFailure } from '../../../src/ports/customer-channel.ts';

/** R7: an anonymous visitor who is not connected cannot be reached; the send fails with this reason. */
export const VISITOR_LEFT =
  'The visitor has left the chat; webchat reaches only known customers with a portal profile when they are not connected. Use another channel the contact has, or wait for them to come back.';

export class VisitorLeft extends Error {
  constructor() {
    super(VISITOR_LEFT);
    this.name = 'VisitorLeft';
  }
}

/**
 * A refusal is final. Anything else (Redis unreachable for the presence check or the publish)
 * left nothing in front of the visitor, so it is retried; a repeat publish is only a wake-up
 * call, the message itself comes from PostgreSQL once, so there is no ambiguous outcome here.
 */
export function classifyWebchatError(err: unknown): SendFailure {
  if (err instanceof VisitorLeft) return { kind: 'permanent', reason: err.message };
  const detail = err instanceof Error ? err.message : String(err);
  return { kind: 'retry', reason: `The webchat live connection is unavailable (${detail}); trying again.` };
}
