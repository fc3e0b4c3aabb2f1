import type { MessageKind } from '../../../src/domain/events.ts';
import type { MirrorItem } from '../../../src/ports/agent-surface.ts';

/**
 * Combining (R28, DESIGN 5 "Shared surface machinery"): consecutive plain text items of one
 * author and kind go out as one post, so when messages arrive faster than a place takes posts the
 * thread's lag stays bounded instead of growing. Order is kept: a group is a run of neighbours,
 * never items pulled from further on. An item an agent wrote in this very thread (`isOwnHere`) is
 * already there: it stands alone and is adopted, not posted. A post with buttons (an AI draft's
 * Send, Edit and Discard, R36) stands alone too, whatever the surface lets combine: its buttons act
 * on that one item, and its post is redrawn from it alone when it is decided.
 */

/** How much one combined post may carry; each surface sets its own (its post size, its rates). */
export interface CombineLimits {
  /** Items in one post, at least 1 (1: nothing is combined). */
  maxItems: number;
  /** Characters of item text in one post, before the surface's formatting. */
  maxChars: number;
  /** The kinds that combine; COMBINABLE_KINDS when not given. */
  kinds?: ReadonlySet<MessageKind>;
}

/**
 * What combines by default: what customers, the AI and the system say. Replies and notes stand
 * alone, since each shows its own delivery state or privacy mark.
 */
export const COMBINABLE_KINDS: ReadonlySet<MessageKind> = new Set<MessageKind>([
  'inbound',
  'ai',
  'system',
  'auto_response',
]);

/** An item drawn with buttons of its own (an AI draft): never combined with another. */
export const standsAlone = (item: MirrorItem): boolean => item.kind === 'ai_draft' || Boolean(item.draft);

/** One post to make (`items`, in order), or an agent's own message to adopt (`item`). */
export type ItemGroup = { own: true; item: MirrorItem } | { own: false; items: MirrorItem[] };

export interface GroupOptions {
  limits: CombineLimits;
  /** True for an item written by an agent in this thread on this surface (its origin is here). */
  isOwnHere: (item: MirrorItem) => boolean;
}

/**
 * Splits `items` (in mirror order) into posts. An item combines with the one before it when both
 * are of a combinable kind, have text and no attachments, share kind and author name, and the
 * group stays within the limits; a single item longer than `maxChars` still gets its own post.
 */
export function groupItems(items: MirrorItem[], opts: GroupOptions): ItemGroup[] {
  const { maxItems, maxChars, kinds = COMBINABLE_KINDS } = opts.limits;
  const plain = (i: MirrorItem) =>
    kinds.has(i.kind) && !standsAlone(i) && i.attachments.length === 0 && i.text !== null;
  const combinable = (a: MirrorItem, b: MirrorItem) =>
    plain(a) && plain(b) && a.kind === b.kind && a.authorName === b.authorName;

  const groups: ItemGroup[] = [];
  let current: MirrorItem[] = [];
  let chars = 0;
  const flush = () => {
    if (current.length) groups.push({ own: false, items: current });
    current = [];
    chars = 0;
  };
  for (const item of items) {
    if (opts.isOwnHere(item)) {
      flush();
      groups.push({ own: true, item });
      continue;
    }
    const len = item.text?.length ?? 0;
    const last = current.at(-1);
    const fits = current.length < maxItems && chars + len <= maxChars;
    if (!last || !combinable(last, item) || !fits) flush();
    current.push(item);
    chars += len;
  }
  flush();
  return groups;
}
