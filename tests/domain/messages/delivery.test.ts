import { describe, expect, it } from 'vitest';
import { advanceDelivery, type DeliveryState } from '../../../src/domain/delivery.ts';

const run = (start: DeliveryState | null, ...updates: DeliveryState[]) =>
  updates.reduce<DeliveryState | null>((s, u) => advanceDelivery(s, u), start);

describe('delivery state', () => {
  it('R29: moves forward queued → sending → sent → delivered → read', () => {
    expect(run('queued', 'sending', 'sent', 'delivered', 'read')).toBe('read');
  });

  it('R29: out-of-order callbacks end in the furthest state', () => {
    expect(run('queued', 'read', 'delivered', 'sent')).toBe('read');
    expect(run('sent', 'delivered', 'sent')).toBe('delivered');
  });

  it('R29: a failure ends a message that had not arrived', () => {
    expect(run('queued', 'failed')).toBe('failed');
    expect(run('sent', 'failed', 'sent', 'sending')).toBe('failed');
  });

  it('R29: a failure after delivered or read is ignored; delivered or read after a failure proves it arrived', () => {
    expect(run('delivered', 'failed')).toBe('delivered');
    expect(run('read', 'failed')).toBe('read');
    expect(run('failed', 'delivered')).toBe('delivered');
    expect(run('failed', 'read')).toBe('read');
  });
});

describe('delivery state, first update', () => {
  it('R29: the first state recorded for a message is taken as it comes', () => {
    expect(advanceDelivery(null, 'queued')).toBe('queued');
    expect(advanceDelivery(null, 'sent')).toBe('sent');
    expect(advanceDelivery(null, 'failed')).toBe('failed');
  });

  it('R29: after a failure, a stray sending or sent callback never queues the message again', () => {
    expect(advanceDelivery('failed', 'sending')).toBe('failed');
    expect(advanceDelivery('failed', 'queued')).toBe('failed');
  });
});
