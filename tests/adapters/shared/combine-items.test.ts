import { describe, expect, it } from 'vitest';
import {
  type CombineLimits,
  groupItems,
  type ItemGroup,
} from '../../../adapters/surfaces/shared/combine-items.ts';
import type { MirrorItem } from '../../../src/ports/agent-surface.ts';

let seq = 0;
const item = (over: Partial<MirrorItem> = {}): MirrorItem => {
  seq += 1;
  return {
    messageId: `m${seq}`,
    seq,
    kind: 'inbound',
    text: `text ${seq}`,
    attachments: [],
    authorName: 'Ada',
    deliveryState: null,
    deliveryReason: null,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)),
    origin: null,
    draft: null,
    ...over,
  };
};

const limits: CombineLimits = { maxItems: 3, maxChars: 100 };
const never = () => false;
/** The groups as message ids: a post's ids in a list, an adopted item as `own:<id>`. */
const shape = (groups: ItemGroup[]) =>
  groups.map((g) => (g.own ? `own:${g.item.messageId}` : g.items.map((i) => i.messageId)));

describe('combining items into posts (R28, DESIGN 5)', () => {
  it('R28: consecutive plain items of one author and kind become one post, in order', () => {
    const items = [item(), item(), item({ authorName: 'Bo' }), item({ kind: 'ai' }), item({ kind: 'ai' })];
    const ids = items.map((i) => i.messageId);
    expect(shape(groupItems(items, { limits, isOwnHere: never }))).toEqual([
      [ids[0], ids[1]],
      [ids[2]],
      [ids[3], ids[4]],
    ]);
  });

  it('R28: replies, notes, items with attachments and items without text each stand alone', () => {
    const file = { id: 'a1', kind: 'image' as const, status: 'stored' as const, storageKey: 'k' };
    const items = [
      item({ kind: 'reply' }),
      item({ kind: 'reply' }),
      item({ kind: 'note' }),
      item({ kind: 'note' }),
      item({ attachments: [file] }),
      item(),
      item({ text: null }),
      item(),
    ];
    const groups = groupItems(items, { limits, isOwnHere: never });
    expect(groups.map((g) => (g.own ? 0 : g.items.length))).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('DESIGN 5: a post holds at most maxItems items and maxChars characters; a longer item gets a post of its own', () => {
    const many = [item(), item(), item(), item()];
    expect(groupItems(many, { limits, isOwnHere: never }).map((g) => (g.own ? 0 : g.items.length))).toEqual([
      3, 1,
    ]);
    const long = [item({ text: 'x'.repeat(60) }), item({ text: 'y'.repeat(40) }), item({ text: 'z' })];
    expect(groupItems(long, { limits, isOwnHere: never }).map((g) => (g.own ? 0 : g.items.length))).toEqual([
      2, 1,
    ]);
    const huge = [item({ text: 'x'.repeat(500) }), item()];
    expect(groupItems(huge, { limits, isOwnHere: never }).map((g) => (g.own ? 0 : g.items.length))).toEqual([
      1, 1,
    ]);
  });

  it('R29: an agent’s own message in this thread is adopted alone and breaks a run; elsewhere it is posted', () => {
    const items = [
      item(),
      item({ kind: 'reply', origin: { surface: 'x', ref: { here: true } } }),
      item(),
      item(),
    ];
    const isOwnHere = (i: MirrorItem) => i.origin?.ref.here === true;
    const ids = items.map((i) => i.messageId);
    expect(shape(groupItems(items, { limits, isOwnHere }))).toEqual([
      [ids[0]],
      `own:${ids[1]}`,
      [ids[2], ids[3]],
    ]);
    expect(shape(groupItems(items, { limits, isOwnHere: never }))).toEqual([
      [ids[0]],
      [ids[1]],
      [ids[2], ids[3]],
    ]);
  });

  it('DESIGN 5: a surface may choose the kinds that combine; maxItems 1 combines nothing', () => {
    const items = [item({ kind: 'reply' }), item({ kind: 'reply' }), item(), item()];
    const replies = { ...limits, kinds: new Set(['reply'] as const) };
    expect(
      groupItems(items, { limits: replies, isOwnHere: never }).map((g) => (g.own ? 0 : g.items.length)),
    ).toEqual([2, 1, 1]);
    const one = { ...limits, maxItems: 1 };
    expect(groupItems(items, { limits: one, isOwnHere: never })).toHaveLength(4);
    expect(groupItems([], { limits, isOwnHere: never })).toEqual([]);
  });
});
