/**
 * R12: unread is per user. A user has read a conversation up to `lastReadSeq` (0 when they never
 * opened it); anything numbered after that is unread for them.
 */
export const isUnread = (lastSeq: number, lastReadSeq: number | null | undefined): boolean =>
  lastSeq > (lastReadSeq ?? 0);

/** Marking unread steps back one message, so the latest one shows as new again. */
export const unreadMarker = (lastSeq: number): number => Math.max(0, lastSeq - 1);
