import {
  type AgentSurface,
  type BroadcastProgressView,
  type InternalMessageView,
  type MirrorItem,
  type MirrorPlace,
  SurfaceRetryLater,
  type ThreadHeader,
  type ThreadRef,
} from '../../src/ports/agent-surface.ts';

/**
 * A chat surface that keeps its threads in memory, as a user of the platform would see them.
 * It stands in for Slack/Teams where the test is about the mirroring machinery.
 */
export interface FakeThread {
  id: string;
  place: MirrorPlace;
  header: ThreadHeader;
  items: MirrorItem[];
  state: 'active' | 'stub' | 'deleted';
}

export function recordingSurface(name = 'slack') {
  const threads: FakeThread[] = [];
  const homes: { userId: string; force: boolean }[] = [];
  const unlinkNotices: { platformUserId: string; text: string }[] = [];
  const channelNotices: { channelId: string; text: string; thread: ThreadRef | null }[] = [];
  const userNotices: { userId: string; text: string }[] = [];
  const internalPosts: { platformUserId: string; message: InternalMessageView }[] = [];
  /** R8: broadcast progress messages, one per broadcast, as their creator sees them now (edited in place). */
  const broadcastProgress: { userId: string; post: number; view: BroadcastProgressView; edits: number }[] =
    [];
  let failNextPost: number | null = null;
  let slowPost: Promise<void> | null = null;
  const find = (ref: ThreadRef) => {
    const t = threads.find((x) => x.id === ref.threadId);
    if (!t) throw new Error(`unknown thread ${String(ref.threadId)}`);
    return t;
  };
  const surface: AgentSurface = {
    name,
    channelOf: (g) => g.slackChannelId ?? null,
    userIdOf: (u) => u.slackUserId ?? null,
    openThread: async (place, header) => {
      const t: FakeThread = { id: `T${threads.length + 1}`, place, header, items: [], state: 'active' };
      threads.push(t);
      return { threadId: t.id };
    },
    postItems: async function* (ref, items) {
      for (const item of items) {
        if (failNextPost !== null) {
          const ms = failNextPost;
          failNextPost = null;
          throw new SurfaceRetryLater('ratelimited', ms);
        }
        if (slowPost) await slowPost;
        const t = find(ref);
        t.items.push(item);
        yield {
          kind: 'posted',
          thread: ref,
          messageIds: [item.messageId],
          post: { index: t.items.length - 1 },
        };
      }
    },
    updateItem: async (ref, post, item) => {
      find(ref).items[Number(post.index)] = item;
    },
    updateHeader: async (ref, header) => {
      find(ref).header = header;
    },
    removeThread: async (ref, mode) => {
      const t = find(ref);
      t.state = mode === 'stub' ? 'stub' : 'deleted';
      t.items = [];
    },
    publishHome: async (userId, opts) => {
      homes.push({ userId, force: opts?.force ?? false });
    },
    postDigest: async () => {},
    notify: async (userId, text) => {
      userNotices.push({ userId, text });
    },
    notifyChannel: async (channelId, text, thread) => {
      channelNotices.push({ channelId, text, thread });
    },
    tellUnlinked: async (platformUserId, text) => {
      unlinkNotices.push({ platformUserId, text });
    },
    postInternalMessage: async (platformUserId, message) => {
      internalPosts.push({ platformUserId, message });
      const key = `${platformUserId}:${internalPosts.length}`;
      return { ref: { key }, threadKey: key };
    },
    showBroadcastProgress: async (userId, view, post) => {
      const shown = post ? broadcastProgress[Number(post.index)] : undefined;
      if (shown) {
        shown.view = view;
        shown.edits += 1;
        return post;
      }
      broadcastProgress.push({ userId, post: broadcastProgress.length, view, edits: 0 });
      return { index: broadcastProgress.length - 1 };
    },
  };
  return {
    surface,
    threads,
    /** Dashboards redrawn, in order. */
    homes,
    /** R35 notices to chat identities that were unlinked. */
    unlinkNotices,
    /** Top-level notices in groups' channels (an AI handoff with nobody assigned, R36), in order. */
    channelNotices,
    /** Private notices to Parley users (notify), in order. */
    userNotices,
    broadcastProgress,
    /** R25: internal messages posted in users' direct messages, in order. */
    internalPosts,
    /** Everything any user can read on the platform right now. */
    visibleText: () =>
      threads
        .filter((t) => t.state === 'active')
        .flatMap((t) => [t.header.contactName, ...t.items.map((i) => i.text ?? '')])
        .join('\n'),
    rateLimitNextPost: (retryAfterMs: number) => {
      failNextPost = retryAfterMs;
    },
    holdPosts: () => {
      let release!: () => void;
      slowPost = new Promise((r) => {
        release = r;
      });
      return () => {
        slowPost = null;
        release();
      };
    },
  };
}
