import type { Attachment } from '../db/entities/index.ts';
import type { MessageKind } from '../domain/events.ts';

/**
 * The agent side: how a conversation looks on a chat platform (adapters/surfaces/<name>/).
 * Slack and Teams each implement it; the mirror worker (src/use-cases/mirror-conversation.ts)
 * decides what goes where and in which order, the surface only draws it.
 */

export interface ThreadHeader {
  conversationId: string;
  number: number;
  contactName: string;
  channel: string;
  status: 'open' | 'closed' | 'deleted';
  assignees: { id: string; name: string }[];
  unrepliedCount: number;
  restricted: boolean;
  aiState: 'off' | 'active' | 'handed_off';
  /** R21/R38: unpaid invoices, oldest first (absent when there are none): they block close and delete. */
  unpaidInvoices?: { reference: string; amount: string }[];
  /** R39: the customer's wait passed its SLA target: since when they wait, in the group's time zone (absent otherwise). */
  slaBreached?: { waitingSince: string };
}

export interface MirrorItem {
  messageId: string;
  seq: number;
  kind: MessageKind;
  text: string | null;
  attachments: Attachment[];
  /** Display name: the customer's for inbound, the user's for replies and notes, the AI agent's for AI. */
  authorName: string;
  deliveryState: string | null;
  deliveryReason: string | null;
  createdAt: Date;
  /** Where the item was written, when a user wrote it on a chat surface (an agent's message in a thread). */
  origin: ItemOrigin | null;
  /**
   * An AI draft (kind `ai_draft`, R36): pending drafts show Send, Edit and Discard; a decided one
   * says who sent (edited or not) or discarded it. Null for every other kind.
   */
  draft: AiDraftView | null;
}

export interface AiDraftView {
  state: 'pending' | 'sent' | 'discarded' | 'dropped';
  /** Who sent or discarded it. */
  by: string | null;
  /** Sent after an edit. */
  edited: boolean;
}

/** What a post shows of an item that may change after posting: its delivery state or its draft state. */
export const shownStateOf = (item: MirrorItem): string | null =>
  item.deliveryState ?? item.draft?.state ?? null;

/** The platform message an item came from: the surface does not post it again where it already is. */
export interface ItemOrigin {
  surface: string;
  ref: Record<string, unknown>;
}

/** The platform's references for one post (channel and ts...); opaque to the core, kept in SurfacePost.ref. */
export type PostRef = Record<string, unknown>;

/**
 * What `postItems` reports as it goes; the mirror saves each step before the next call, so a
 * crash or timeout between "the platform accepted" and "we saved" is resolved by looking.
 * - attempt: a post is about to be made (the thread ref records it, to look for it on the next run)
 * - posted: these messages are now in the thread as one post (several when combined), or were
 *   already there (an agent's own message in its thread)
 */
export type PostStep =
  | { kind: 'attempt'; thread: ThreadRef }
  | {
      kind: 'posted';
      thread: ThreadRef;
      messageIds: string[];
      post: PostRef;
      /**
       * False when the post is not the surface's drawing (a person's own message, adopted as it
       * is): its delivery state is then drawn by updateItem, like any later change.
       */
      showsState?: boolean;
    };

/** Where a thread lives: the group's linked channel, or one user's direct messages with the app (R31). */
export type MirrorPlace =
  | { kind: 'channel'; key: string; channelId: string }
  | { kind: 'direct'; key: string; user: { id: string; name: string; platformUserId: string } };

/** The platform's references for a thread (channel, ts...); opaque to the core, kept in SurfaceThread.ref. */
export type ThreadRef = Record<string, unknown>;

/** The group links and user identities a surface reads to find its places. */
export interface GroupLinks {
  slackChannelId?: string | null;
  teamsTeamId?: string | null;
  teamsChannelId?: string | null;
}
export interface UserIdentities {
  slackUserId?: string | null;
  teamsUserId?: string | null;
}

/** Thrown by a surface that must not be called again yet (rate limit with Retry-After). */
export class SurfaceRetryLater extends Error {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}

/** R25: one internal message as it shows in a user's direct messages with the app. */
export interface InternalMessageView {
  messageId: string;
  chatId: string;
  kind: 'message' | 'note';
  text: string | null;
  attachments: Attachment[];
  authorName: string;
  /** A message to oneself (note taking). */
  toSelf: boolean;
  createdAt: Date;
}

/** Where an internal message was posted: the platform's references, and the key a reply there is found by. */
export interface InternalPostRef {
  ref: Record<string, unknown>;
  threadKey: string;
}

export interface InternalPostOptions {
  /** What an earlier run saved (the post made, its files shared so far): it goes on from there. */
  previous: Record<string, unknown> | null;
  /** An earlier run got no answer to its post (from `since`): look before posting again. */
  lookFirst: boolean;
  since: Date;
  /** Records a step (the post made, a file shared) before the next, so a run cut short goes on from it. */
  save: (ref: Record<string, unknown>) => Promise<void>;
}

export interface AgentSurface {
  readonly name: string;
  /** The group's linked channel on this platform, or null when the group has none. */
  channelOf(group: GroupLinks): string | null;
  /** The user's id on this platform, or null when the user is not linked to it. */
  userIdOf(user: UserIdentities): string | null;
  openThread(place: MirrorPlace, header: ThreadHeader): Promise<ThreadRef>;
  /**
   * Posts items into the thread in order, combining several into one post when the place cannot
   * take them one by one fast enough. Throws SurfaceRetryLater when it must wait; steps yielded
   * before that are kept.
   */
  postItems(thread: ThreadRef, items: MirrorItem[]): AsyncIterable<PostStep>;
  /** Redraws a post whose item changed (delivery state of a reply: sent, delivered, read, failed). */
  updateItem(thread: ThreadRef, post: PostRef, item: MirrorItem): Promise<void>;
  /**
   * Redraws the thread's header. `countOnly`: only its unreplied count changed, a glance that may
   * wait for posts where the platform's budget is short (Teams).
   */
  updateHeader(thread: ThreadRef, header: ThreadHeader, change?: { countOnly: boolean }): Promise<void>;
  /** Reduce a thread to a content-free stub (R31) or delete it and everything in it (R24). */
  removeThread(thread: ThreadRef, mode: 'stub' | 'delete'): Promise<void>;
  /**
   * Redraw a user's dashboard (Slack App Home, Teams personal tab): R26, R32. A surface may skip
   * users who have not looked lately, unless `force` (their access changed, R34: what they may no
   * longer see must leave the screen; an inactive user's dashboard is emptied).
   */
  publishHome(userId: string, opts?: { force?: boolean }): Promise<void>;
  /** Post a group's digest to its linked channel (R27). */
  postDigest(groupId: string): Promise<void>;
  /** Tell one user something privately (a refusal, a failed delivery). */
  notify(userId: string, text: string): Promise<void>;
  /**
   * A short top-level notice in a group's linked channel (`channelId`, as `channelOf` gives it),
   * e.g. an AI handoff with nobody assigned (R36). With `thread` (a SurfaceThread.ref), it links
   * to that conversation's thread when the thread is in that same channel.
   */
  notifyChannel(channelId: string, text: string, thread: ThreadRef | null): Promise<void>;
  /**
   * R35: a chat identity is no longer linked to a Parley user: tell them privately and clear what
   * the app showed them (App Home), so nothing of that user's stays in front of them.
   */
  tellUnlinked(platformUserId: string, text: string): Promise<void>;
  /**
   * R25: post an internal message in this platform user's direct messages with the app, where a
   * reply to it (Slack: in its thread; Teams: a quote of it) continues the chat. Throws
   * SurfaceRetryLater when it must wait; steps saved before that are kept.
   */
  postInternalMessage(
    platformUserId: string,
    message: InternalMessageView,
    opts: InternalPostOptions,
  ): Promise<InternalPostRef>;
  /**
   * R8: show a broadcast's progress to its creator (`userId`, a Parley user) in their direct
   * messages with the app: posted the first time (`post` null), then edited in place. Returns the
   * post's ref to keep, or null when the user is not linked on this platform.
   */
  showBroadcastProgress(
    userId: string,
    view: BroadcastProgressView,
    post: PostRef | null,
  ): Promise<PostRef | null>;
}

/** R8: what a broadcast's progress message shows (drawn by each surface). */
export interface BroadcastProgressView {
  broadcastId: string;
  /** Who it goes to, e.g. `tag "vip"` or `12 contacts`. */
  audience: string;
  /** The number or widget it goes from, e.g. `SMS · Main line`. */
  from: string;
  state: 'sending' | 'finished';
  total: number;
  queued: number;
  sent: number;
  delivered: number;
  failed: number;
  refused: number;
  /** Why recipients were left out or failed, counted (largest first). */
  reasons: { result: 'refused' | 'failed'; label: string; count: number }[];
}

export type SurfaceRegistry = ReadonlyMap<string, AgentSurface>;
