import type { EntityManager } from '@mikro-orm/postgresql';
import { AiTurn, Conversation, SurfaceThread, User } from '../db/entities/index.ts';
import { mayView } from '../domain/visibility.ts';
import { type SurfaceRegistry, SurfaceRetryLater } from '../ports/agent-surface.ts';
import { toViewer } from './load.ts';
import { contactDisplayName } from './mirror-items.ts';

/**
 * R36: after the AI agent hands a conversation over, the people who now own it hear about it: its
 * assignees privately; with none, the group's channel, next to the thread. A restricted
 * conversation is never announced in the channel (R17, R31): its unassigned notice goes privately
 * to those who may see it. The turn row records that the notice went (the reconciler retries it).
 */
export type HandoffNoticeOutcome =
  | { outcome: 'told' | 'nothing to tell' }
  /** A surface must wait (paced): come back then for the surfaces not in `done`. */
  | { outcome: 'later'; retryAfterMs: number; done: string[] };

export async function notifyAiHandoff(
  deps: { em: EntityManager; surfaces: SurfaceRegistry },
  turnId: string,
  alreadyDone: readonly string[] = [],
): Promise<HandoffNoticeOutcome> {
  const { em, surfaces } = deps;
  const turn = await em.findOne(AiTurn, { id: turnId });
  if (turn?.status !== 'handed_off' || turn.notifiedAt) return { outcome: 'nothing to tell' };
  const conv = await em.findOneOrFail(
    Conversation,
    { id: turn.conversation.id },
    { populate: ['group', 'contact'] },
  );
  if (conv.status === 'open') {
    const text = `The AI agent handed #${conv.number} (${await contactDisplayName(em, conv)}) to a person: ${turn.reason ?? 'no reason given'}.`;
    const facts = { groupId: conv.group.id, visibleToIds: conv.visibleToIds ?? null };
    const restricted = conv.visibleToIds != null;
    const people =
      conv.assigneeIds.length > 0 || restricted
        ? (await recipients(em, conv)).filter((u) => mayView({ ...toViewer(u), active: u.active }, facts))
        : [];
    const done = [...alreadyDone];
    for (const surface of surfaces.values()) {
      if (done.includes(surface.name)) continue;
      try {
        if (conv.assigneeIds.length > 0 || restricted) {
          for (const u of people) if (surface.userIdOf(u)) await surface.notify(u.id, text);
        } else {
          const channelId = surface.channelOf(conv.group);
          const thread =
            channelId &&
            (await em.findOne(SurfaceThread, {
              conversation: conv,
              surface: surface.name,
              place: `channel:${channelId}`,
              state: 'active',
            }));
          if (channelId) await surface.notifyChannel(channelId, text, thread ? thread.ref : null);
        }
      } catch (err) {
        if (err instanceof SurfaceRetryLater)
          return { outcome: 'later', retryAfterMs: err.retryAfterMs, done };
        throw err;
      }
      done.push(surface.name);
    }
  }
  turn.notifiedAt = new Date();
  await em.flush();
  return { outcome: 'told' };
}

/** The assignees; for a restricted conversation nobody is assigned to, its list (or the group's admins). */
async function recipients(em: EntityManager, conv: Conversation): Promise<User[]> {
  if (conv.assigneeIds.length > 0) return em.find(User, { id: { $in: conv.assigneeIds }, active: true });
  const list = conv.visibleToIds ?? [];
  return em.find(User, {
    active: true,
    groupIds: { $contains: [conv.group.id] },
    ...(list.length > 0 ? { id: { $in: list } } : { role: 'admin' as const }),
  });
}
