import { describe, expect, it } from 'vitest';
import { clearsUnreplied, nextUnreplied, type TimelineEntry } from '../../../src/domain/unreplied.ts';

// The pure R11 transition; tests/use-cases check the same through the timeline and the database.
const t0 = new Date('2026-03-01T09:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * 60_000);
const none = { count: 0, oldestAt: null };

const run = (...entries: TimelineEntry[]) => entries.reduce(nextUnreplied, none);

describe('unreplied (R11)', () => {
  it('R11: customer messages wait for a reply, counted from the oldest one', () => {
    expect(run({ kind: 'inbound', at: at(0) })).toEqual({ count: 1, oldestAt: at(0) });
    expect(run({ kind: 'inbound', at: at(0) }, { kind: 'inbound', at: at(5) })).toEqual({
      count: 2,
      oldestAt: at(0),
    });
  });

  it('R11: a human reply answers everything waiting; the next customer message starts a new wait', () => {
    expect(
      run({ kind: 'inbound', at: at(0) }, { kind: 'inbound', at: at(1) }, { kind: 'reply', at: at(2) }),
    ).toEqual(none);
    expect(
      run({ kind: 'inbound', at: at(0) }, { kind: 'reply', at: at(2) }, { kind: 'inbound', at: at(9) }),
    ).toEqual({ count: 1, oldestAt: at(9) });
  });

  it('R11: auto-responses, notes and system lines are not replies', () => {
    for (const kind of ['auto_response', 'note', 'system'] as const) {
      expect(clearsUnreplied({ kind, at: at(1) })).toBe(false);
      expect(run({ kind: 'inbound', at: at(0) }, { kind, at: at(1) })).toEqual({ count: 1, oldestAt: at(0) });
    }
    expect(clearsUnreplied({ kind: 'inbound', at: at(1) })).toBe(false);
  });

  it('R11: an AI answer counts as a reply while the AI has not handed the conversation over', () => {
    expect(clearsUnreplied({ kind: 'reply', at: at(1) })).toBe(true);
    expect(clearsUnreplied({ kind: 'ai', at: at(1) })).toBe(true);
    expect(run({ kind: 'inbound', at: at(0) }, { kind: 'ai', at: at(1) })).toEqual(none);
  });

  it('R11/R14: the handoff message, and AI messages after a handoff, leave the customer waiting', () => {
    expect(clearsUnreplied({ kind: 'ai', at: at(1), aiHandoff: true })).toBe(false);
    expect(clearsUnreplied({ kind: 'ai', at: at(1), aiHandedOff: true })).toBe(false);
    expect(run({ kind: 'inbound', at: at(0) }, { kind: 'ai', at: at(1), aiHandoff: true })).toEqual({
      count: 1,
      oldestAt: at(0),
    });
  });

  it('R11/R14: after a handoff, a human reply still answers the waiting messages', () => {
    expect(clearsUnreplied({ kind: 'reply', at: at(2), aiHandedOff: true })).toBe(true);
    expect(
      run(
        { kind: 'inbound', at: at(0), aiHandedOff: true },
        { kind: 'ai', at: at(1), aiHandedOff: true },
        { kind: 'reply', at: at(2), aiHandedOff: true },
      ),
    ).toEqual(none);
  });
});
