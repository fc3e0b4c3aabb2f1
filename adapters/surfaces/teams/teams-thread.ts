import type { PostRef, ThreadRef } from '../../../src/ports/agent-surface.ts';
import type { PendingPost } from '../shared/post-in-order.ts';
import type { TeamsThreadRefShape } from './ports.ts';

/**
 * A Teams thread as Parley keeps it in SurfaceThread.ref (TeamsThreadRefShape, ports.ts), plus
 * the conversation's number (a personal chat's posts start with it) and, while a post may have
 * been made but not recorded, `pending` (post-in-order.ts looks for it on the next run).
 */
export interface TeamsPending extends PendingPost {
  /** The post's activity id once known. */
  activityId?: string;
  /** Teams may have it but it could not be looked for (teams-lookup.ts): kept as posted, unconfirmed. */
  unconfirmed?: true;
}

export interface TeamsThread extends TeamsThreadRefShape {
  number?: number;
  pending?: TeamsPending;
}

export function teamsThread(ref: ThreadRef): TeamsThread {
  const { kind, conversation, root } = ref;
  if (
    (kind !== 'channel' && kind !== 'personal') ||
    typeof conversation !== 'string' ||
    typeof root !== 'string'
  )
    throw new Error('This is not a Teams thread reference (kind, conversation and root are missing).');
  return ref as unknown as TeamsThread;
}

/**
 * What a post's SurfacePost.ref holds: the conversation and activity id (inbound/ finds a quoted
 * post by `activityId`), `own` for a person's message adopted as it is, `combined` for several
 * items in one post, `unconfirmed` for a post Teams may or may not have (no id to edit).
 */
export type TeamsPostRef = {
  conversation: string;
  activityId: string | null;
  own?: true;
  combined?: true;
  unconfirmed?: true;
};

export function teamsPost(ref: PostRef): TeamsPostRef {
  if (typeof ref.conversation !== 'string') throw new Error('This is not a Teams post reference.');
  return ref as unknown as TeamsPostRef;
}

/** The channel a thread's conversation id names (`19:…@thread.tacv2;messageid=…` → `19:…@thread.tacv2`). */
export const channelOfThread = (conversation: string): string => conversation.split(';')[0]!;
