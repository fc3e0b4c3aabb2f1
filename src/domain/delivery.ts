/**
 * Delivery state of an outbound message (DESIGN: "a delivery state that only moves forward").
 *
 * queued → sending → sent → delivered → read. Provider callbacks arrive out of order and more
 * than once, so each update is merged, never applied blindly:
 * - a state behind the current one is ignored (read then delivered ends read);
 * - `failed` ends a message that had not arrived (queued, sending, sent);
 * - a failure reported after delivered/read is ignored: the customer has the message;
 * - after `failed`, only delivered/read move on (proof it arrived after all); sent/sending do not,
 *   so a failed message is never queued again by a stray callback.
 */
export type DeliveryState = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'failed';

const rank: Record<Exclude<DeliveryState, 'failed'>, number> = {
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  read: 4,
};

const arrived = (s: DeliveryState) => s === 'delivered' || s === 'read';

export function advanceDelivery(current: DeliveryState | null, incoming: DeliveryState): DeliveryState {
  if (current === null) return incoming;
  if (incoming === 'failed') return arrived(current) ? current : 'failed';
  if (current === 'failed') return arrived(incoming) ? incoming : 'failed';
  return rank[incoming] > rank[current] ? incoming : current;
}
