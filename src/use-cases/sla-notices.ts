import type { EntityManager } from '@mikro-orm/postgresql';
import { Conversation, SlaWait, SurfaceThread, User } from '../db/entities/index.ts';
import { businessMinutesBetween, slaClock } from '../domain/sla.ts';
import { mayView } from '../domain/visibility.ts';
import { type SurfaceRegistry, SurfaceRetryLater } from '../ports/agent-surface.ts';
import type { UseCaseContext } from './context.ts';
import { toViewer } from './load.ts';
import { markHeadersDirty } from './management-support.ts';
import { contactDisplayName } from './mirror-items.ts';
import { slaCalendar } from './sla-clock.ts';

/**
 * R39: a running wait reached its warning time (its assignees hear privately) or its due time
 * (the conversation is flagged in its header and the dashboards, and the group's channel or its
 * escalation channel hears of it). A restricted conversation is never named in a channel (R17):
 * its breach goes privately to the people on its list. The wait row records what was told after
 * it was told (the reconciler tries again otherwise); `done` are surfaces already told.
 *
 * The job is woken at the stage's time, so it trusts that the time has come, as long as the wait
 * is still due when the job says (`dueAt`): new targets re-time the wait and make older jobs moot.
 */
export type SlaCheckOutcome =
  | { outcome: 'warned' | 'breached' | 'nothing to tell' }
  | { outcome: 'later'; retryAfterMs: number; done: string[] };

export async function checkSlaWait(
  ctx: UseCaseContext & { surfaces: SurfaceRegistry },
  check: { waitId: string; stage: 'warn' | 'breach'; dueAt: number },
  alreadyDone: readonly string[] = [],
): Promise<SlaCheckOutcome> {
  const { em, surfaces } = ctx;
  const now = ctx.now ? ctx.now() : new Date();
  const wait = await em.findOne(SlaWait, { id: check.waitId });
  if (!wait || wait.endedAt || wait.breachedAt || wait.dueAt?.getTime() !== check.dueAt)
    return { outcome: 'nothing to tell' };
  const breach = check.stage === 'breach';
  if (!breach && (wait.warnedAt || !wait.warnAt)) return { outcome: 'nothing to tell' };
  const conv = await em.findOneOrFail(Conversation, wait.conversation.id, { populate: ['group', 'contact'] });
  if (conv.status !== 'open' || conv.humanWaitingSince?.getTime() !== wait.startedAt.getTime()) {
    // A wait the conversation left behind (deleted, or its clock restarted when SLA targets were
    // set): it is no wait any more, and it would be woken again every run.
    await em.nativeDelete(SlaWait, { id: wait.id });
    return { outcome: 'nothing to tell' };
  }

  const text = await noticeText(em, conv, wait, breach);
  const people = await toTell(em, conv, breach);
  const shared = conv.visibleToIds == null;
  const done = [...alreadyDone];
  for (const surface of surfaces.values()) {
    if (done.includes(surface.name)) continue;
    try {
      for (const u of people) if (surface.userIdOf(u)) await surface.notify(u.id, text);
      const channelId =
        breach && shared ? escalationChannel(conv, surface.name, surface.channelOf(conv.group)) : null;
      if (channelId)
        await surface.notifyChannel(channelId, text, await threadIn(em, conv, surface.name, channelId));
    } catch (err) {
      if (err instanceof SurfaceRetryLater) return { outcome: 'later', retryAfterMs: err.retryAfterMs, done };
      throw err;
    }
    done.push(surface.name);
  }

  if (!breach) {
    wait.warnedAt = now;
    await em.flush();
    return { outcome: 'warned' };
  }
  await em.transactional(async (tx) => {
    await tx.nativeUpdate(SlaWait, { id: wait.id }, { breachedAt: now });
    // Only while this very wait runs: a reply that came meanwhile has cleared the flag for good.
    await tx.nativeUpdate(
      Conversation,
      { id: conv.id, status: 'open', humanWaitingSince: wait.startedAt },
      { slaBreachedAt: now },
    );
    await markHeadersDirty(tx, conv);
  });
  await ctx.dispatch?.([
    { type: 'conversation.updated', conversationId: conv.id, groupId: conv.group.id, change: 'sla' },
  ]);
  return { outcome: 'breached' };
}

/** The assignees (a warning, a breach); at a breach of a restricted conversation, its whole list. */
async function toTell(em: EntityManager, conv: Conversation, breach: boolean): Promise<User[]> {
  const list = conv.visibleToIds;
  const ids = breach && list ? [...new Set([...list, ...conv.assigneeIds])] : conv.assigneeIds;
  const users =
    breach && list?.length === 0
      ? await em.find(User, { active: true, role: 'admin', groupIds: { $contains: [conv.group.id] } })
      : ids.length > 0
        ? await em.find(User, { id: { $in: ids }, active: true })
        : [];
  const facts = { groupId: conv.group.id, visibleToIds: list ?? null };
  return users.filter((u) => mayView({ ...toViewer(u), active: u.active }, facts));
}

/** The group's escalation channel on this surface, else its own channel. */
function escalationChannel(conv: Conversation, surface: string, own: string | null): string | null {
  return conv.group.sla?.escalation?.[surface] ?? own;
}

async function threadIn(em: EntityManager, conv: Conversation, surface: string, channelId: string) {
  const thread = await em.findOne(SurfaceThread, {
    conversation: conv,
    surface,
    place: `channel:${channelId}`,
    state: 'active',
  });
  return thread?.ref ?? null;
}

async function noticeText(
  em: EntityManager,
  conv: Conversation,
  wait: SlaWait,
  breach: boolean,
): Promise<string> {
  const who = `#${conv.number} (${await contactDisplayName(em, conv)})`;
  const what = wait.kind === 'first' ? 'a first reply' : 'a reply';
  const calendar = slaCalendar(conv.group);
  const clock = (d: Date) => slaClock(calendar?.timeZone, d);
  const due = wait.dueAt!;
  if (breach) {
    const target = Math.round(businessMinutesBetween(calendar, wait.startedAt, due));
    return `SLA breached: ${who} has waited for ${what} since ${clock(wait.startedAt)}; the target was ${target} business minutes (due ${clock(due)}).`;
  }
  const left = Math.max(1, Math.round(businessMinutesBetween(calendar, wait.warnAt ?? due, due)));
  return `SLA warning: ${who} needs ${what} by ${clock(due)}, in ${left} business minutes.`;
}
