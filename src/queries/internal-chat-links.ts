import type { EntityManager } from '@mikro-orm/postgresql';
import { InternalPost } from '../db/entities/index.ts';

/**
 * R25: where a viewer opens each internal chat on a surface: the latest internal message Parley
 * posted in the viewer's own direct messages with the app for that chat (its references), by
 * chat id. Only the viewer's own posts: an internal chat is private between its two users.
 */
export async function internalChatLinks(
  em: EntityManager,
  viewerId: string,
  chatIds: readonly string[],
  surface: string,
): Promise<Map<string, Record<string, unknown>>> {
  if (chatIds.length === 0) return new Map();
  const posts = await em.find(
    InternalPost,
    { chat: { $in: [...new Set(chatIds)] }, user: viewerId, surface, ref: { $ne: null } },
    { orderBy: { createdAt: 'asc' } },
  );
  return new Map(posts.map((p) => [p.chat.id, p.ref!]));
}
