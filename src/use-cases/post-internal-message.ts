import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InternalMessage, InternalPost, type User } from '../db/entities/index.ts';
import { type InternalMessageView, type SurfaceRegistry, SurfaceRetryLater } from '../ports/agent-surface.ts';

/**
 * R25: an internal message reaches its recipient in their direct messages with the app, on every
 * chat surface they are linked on (a Slack user can write to a Teams user). A message to oneself
 * goes to one's own direct messages, except where it was written there (a reply in that thread).
 * Each post is an InternalPost row: its attempt is recorded before posting, so a retry after a
 * lost answer looks before posting again (an attempt told to wait is forgotten: nothing was
 * posted), its steps (the post, each file) are saved as they happen, and a post already made is
 * never made twice. When every post is made the message is marked posted; until then the
 * reconciler wakes it again.
 */
export type InternalPostOutcome =
  /** `posted`: everywhere it goes (or, after a day of waiting, wherever it could: it stays in the inbox). */
  | { outcome: 'posted' | 'nothing to post' }
  /** A surface must wait (paced, or the app is not installed for the recipient yet). */
  | { outcome: 'later'; retryAfterMs: number };

/** A post still waiting after this long (Parley never installed for the recipient) is given up. */
const GIVE_UP_MS = 24 * 3600_000;
const OTHER_RUN_WAIT_MS = 5_000;

export async function postInternalMessage(
  deps: { em: EntityManager; surfaces: SurfaceRegistry },
  messageId: string,
): Promise<InternalPostOutcome> {
  const { em, surfaces } = deps;
  const message = await em.findOne(
    InternalMessage,
    { id: messageId },
    { populate: ['chat', 'chat.userA', 'chat.userB', 'author'] },
  );
  if (!message || message.postedAt) return { outcome: 'nothing to post' };
  const { chat } = message;
  const toSelf = chat.userA.id === chat.userB.id;
  const recipients = toSelf
    ? [chat.userA]
    : [chat.userA, chat.userB].filter((u) => u.id !== message.author.id);
  const view: InternalMessageView = {
    messageId: message.id,
    chatId: chat.id,
    kind: message.kind,
    text: message.text ?? null,
    attachments: message.attachments,
    authorName: message.author.name,
    toSelf,
    createdAt: message.createdAt,
  };
  const posts = await em.find(InternalPost, { message: message.id });
  let later: number | null = null;
  let failure: { err: unknown } | null = null;
  for (const user of recipients.filter((u) => u.active)) {
    for (const surface of surfaces.values()) {
      const platformUserId = surface.userIdOf(user);
      if (!platformUserId || (toSelf && message.writtenOn === surface.name)) continue;
      const known = posts.find((p) => p.user.id === user.id && p.surface === surface.name);
      // Done when its thread key is known; a row without one is a post in progress, or unanswered.
      if (known?.threadKey) continue;
      const post = known ?? (await recordAttempt(em, message, user, surface.name));
      if (!post) {
        // Another run is making this post right now: come back to see it done.
        later = Math.min(later ?? OTHER_RUN_WAIT_MS, OTHER_RUN_WAIT_MS);
        continue;
      }
      try {
        const posted = await surface.postInternalMessage(platformUserId, view, {
          previous: post.ref ?? null,
          lookFirst: known !== undefined && !known.ref,
          since: post.attemptedAt,
          save: async (ref) => {
            post.ref = ref;
            await em.flush();
          },
        });
        post.ref = posted.ref;
        post.threadKey = posted.threadKey;
        await em.flush();
      } catch (err) {
        if (!(err instanceof SurfaceRetryLater)) {
          failure ??= { err };
          continue;
        }
        later = Math.min(later ?? err.retryAfterMs, err.retryAfterMs);
        // Told to wait before anything was posted: the next run posts without looking first.
        if (!post.ref) {
          await em.nativeDelete(InternalPost, { id: post.id, ref: null });
          em.getUnitOfWork().unsetIdentity(post);
        }
      }
    }
  }
  if (failure) throw failure.err;
  if (later !== null && Date.now() - message.createdAt.getTime() < GIVE_UP_MS)
    return { outcome: 'later', retryAfterMs: later };
  message.postedAt = new Date();
  await em.flush();
  return { outcome: 'posted' };
}

/** Records that the post is being made; null when another run recorded it first (it makes the post). */
async function recordAttempt(
  em: EntityManager,
  message: InternalMessage,
  user: User,
  surface: string,
): Promise<InternalPost | null> {
  const rows = await em.getConnection().execute<{ id: string }[]>(
    `insert into internal_post (id, chat_id, message_id, user_id, surface, attempted_at, created_at)
       values (?, ?, ?, ?, ?, now(), now()) on conflict (message_id, user_id, surface) do nothing returning id`,
    [randomUUID(), message.chat.id, message.id, user.id, surface],
  );
  const id = rows[0]?.id;
  return id ? em.findOneOrFail(InternalPost, { id }) : null;
}
