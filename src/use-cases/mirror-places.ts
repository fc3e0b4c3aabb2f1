import type { EntityManager } from '@mikro-orm/postgresql';
import { type Conversation, User } from '../db/entities/index.ts';
import { mayView } from '../domain/visibility.ts';
import type { AgentSurface, MirrorPlace } from '../ports/agent-surface.ts';
import { toViewer } from './load.ts';

const toViewerWithState = (u: User) => ({ ...toViewer(u), active: u.active });

/**
 * Where a conversation's threads belong on one surface (R28, R31): its group's channel while the
 * whole group may see it; while restricted, each listed user's direct messages; nowhere once deleted.
 */
export async function desiredPlaces(
  em: EntityManager,
  surface: AgentSurface,
  conv: Conversation,
): Promise<MirrorPlace[]> {
  if (conv.status === 'deleted') return [];
  if (!conv.visibleToIds) {
    const channelId = surface.channelOf(conv.group);
    return channelId ? [{ kind: 'channel', key: `channel:${channelId}`, channelId }] : [];
  }
  const places: MirrorPlace[] = [];
  for (const u of await usersWhoMayView(em, conv)) {
    const platformUserId = surface.userIdOf(u);
    // The key names the chat identity too: when a user is relinked (R35), the thread in the
    // previous identity's direct messages goes and a new one opens in the new identity's.
    if (platformUserId)
      places.push({
        kind: 'direct',
        key: `user:${u.id}:${platformUserId}`,
        user: { id: u.id, name: u.name, platformUserId },
      });
  }
  return places;
}

/**
 * R17/R31/R34: the users of a restricted conversation's private places, decided by the same rule
 * as every other surface (`mayView`): active members of its group on its list, or the group's
 * admins when the list emptied. Someone who left the group is not among them, list or not.
 */
async function usersWhoMayView(em: EntityManager, conv: Conversation): Promise<User[]> {
  const list = conv.visibleToIds ?? [];
  const users = await em.find(
    User,
    {
      active: true,
      groupIds: { $contains: [conv.group.id] },
      ...(list.length > 0 ? { id: { $in: list } } : { role: 'admin' as const }),
    },
    { orderBy: { id: 'asc' } },
  );
  const facts = { groupId: conv.group.id, visibleToIds: list };
  return users.filter((u) => mayView(toViewerWithState(u), facts));
}
