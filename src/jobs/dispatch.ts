import type { DomainEvent } from '../domain/events.ts';
import { wakeBroadcast, wakeBroadcastProgress } from './broadcast-wake.ts';
import { mirrorLater, mirrorNow } from './mirror-wake.ts';
import { BACKGROUND_PRIORITY, enqueue, type Queues } from './queues.ts';
import { slotOf } from './spread.ts';

const outboundKinds = new Set(['reply', 'ai', 'auto_response']);
/**
 * An outbound message's thread post and its delivery state can wait a moment: its delivery runs
 * first, and "queued" then "sent" are usually drawn in one run instead of two.
 */
const DELIVERY_MIRROR_WAIT_MS = 300;
/** Dashboards are redrawn at most once per group in this window (debounce). */
export const HOME_DEBOUNCE_MS = 2_000;

export interface DispatchOptions {
  /** Whether any chat surface (Slack, Teams) is configured; without one, mirror jobs are skipped. */
  surfaces: boolean;
  /** R36: customer messages this close together are answered once, after the last (AI_BURST_WINDOW_MS). */
  aiBurstWindowMs?: number;
  now?: () => number;
}

/**
 * Turns committed domain events into wake-up calls. A lost call costs latency only: the
 * reconciler finds the same work from PostgreSQL.
 */
export function createDispatcher(queues: Queues, opts: DispatchOptions) {
  /**
   * Per group, the dashboard bucket this process has already woken: a busy group's every message
   * would otherwise ask Redis for a job that already exists (a round trip on each webhook).
   */
  const homeBucketWoken = new Map<string, number>();
  const wakeHome = async (groupId: string, now: number) => {
    // Each group's buckets start at its own offset, so the groups' redraws do not all run at once.
    const { slot: bucket, endsAt } = slotOf(groupId, HOME_DEBOUNCE_MS, now);
    if (homeBucketWoken.get(groupId) === bucket) return;
    await enqueue(queues, 'home', { groupId, bucket }, { delayMs: endsAt - now });
    homeBucketWoken.set(groupId, bucket);
  };
  /**
   * `background`: the events of work that can wait behind everyone's (a broadcast's batch, R8):
   * its deliveries and thread posts are queued after ordinary traffic's, so a broadcast of
   * thousands never makes a customer's message wait for its turn.
   */
  return async (events: DomainEvent[], how: { background?: boolean } = {}): Promise<void> => {
    const now = opts.now ? opts.now() : Date.now();
    const priority = how.background ? { priority: BACKGROUND_PRIORITY } : {};
    const jobs: Promise<void>[] = [];
    /** Per conversation: whether a change must be shown at once (false: it can wait a moment). */
    const mirrored = new Map<string, boolean>();
    const homes = new Set<string>();
    for (const e of events) {
      if (e.type === 'message.created' && outboundKinds.has(e.kind)) {
        jobs.push(enqueue(queues, 'deliver', { messageId: e.messageId, attempt: 0 }, priority));
      }
      if (e.type === 'conversation.deleted' && e.storageKeys?.length) {
        jobs.push(
          enqueue(queues, 'purgeFiles', { conversationId: e.conversationId, storageKeys: e.storageKeys }),
        );
      }
      if (e.type === 'message.created' && e.pendingMedia) {
        jobs.push(enqueue(queues, 'fetchMedia', { messageId: e.messageId }));
      }
      if (e.type === 'message.created' && e.aiAnswers) {
        const { conversationId, messageId } = e;
        const delayMs = opts.aiBurstWindowMs ?? 0;
        jobs.push(enqueue(queues, 'aiReply', { conversationId, messageId, attempt: 0 }, { delayMs }));
      }
      if (e.type === 'message.created' && e.autoResponder) {
        jobs.push(
          enqueue(queues, 'autoRespond', { conversationId: e.conversationId, messageId: e.messageId }),
        );
      }
      if (e.type === 'payment.link_requested') {
        const { paymentKind: kind, paymentId: id, attempt } = e;
        jobs.push(enqueue(queues, 'payLink', { kind, id, attempt }));
      }
      if (e.type === 'payment.link_cancelled')
        jobs.push(enqueue(queues, 'expirePayLink', { kind: e.paymentKind, id: e.paymentId }));
      if (e.type === 'csat.due') jobs.push(enqueue(queues, 'csat', { surveyId: e.surveyId }));
      if (e.type === 'payment.event_received')
        jobs.push(enqueue(queues, 'paymentEvent', { paymentEventId: e.paymentEventId }));
      if (e.type === 'ai.handed_off' && opts.surfaces) {
        jobs.push(enqueue(queues, 'aiHandoffNotice', { turnId: e.turnId }));
      }
      // R8: a new broadcast's first batch; its creator's progress message after each batch.
      if (e.type === 'broadcast.created') jobs.push(wakeBroadcast(queues, e.broadcastId, '0'));
      if ((e.type === 'broadcast.created' || e.type === 'broadcast.progress') && opts.surfaces)
        jobs.push(wakeBroadcastProgress(queues, e.broadcastId, now));
      if (!opts.surfaces) continue;
      if (e.type === 'user.access_changed') jobs.push(enqueue(queues, 'userHome', { userId: e.userId }));
      // R25: the recipient's direct message, and both users' dashboards (their inbox lists the chat).
      if (e.type === 'internal.message_created')
        jobs.push(enqueue(queues, 'internalPost', { messageId: e.messageId }));
      if (e.type === 'internal.message_created' || e.type === 'internal.chat_deleted')
        for (const userId of e.userIds) jobs.push(enqueue(queues, 'userHome', { userId }));
      if (e.type === 'chat_identity.unlinked')
        jobs.push(enqueue(queues, 'unlinkNotice', { noticeId: e.noticeId }));
      if ('conversationId' in e && 'groupId' in e) {
        const canWait =
          e.type === 'message.delivery_changed' ||
          (e.type === 'message.created' && outboundKinds.has(e.kind));
        mirrored.set(e.conversationId, (mirrored.get(e.conversationId) ?? false) || !canWait);
      }
      if ('groupId' in e && !homes.has(e.groupId)) {
        homes.add(e.groupId);
        jobs.push(wakeHome(e.groupId, now));
      }
    }
    for (const [conversationId, urgent] of mirrored) {
      jobs.push(
        urgent
          ? mirrorNow(queues, conversationId, now, priority)
          : mirrorLater(queues, conversationId, DELIVERY_MIRROR_WAIT_MS, now, priority),
      );
    }
    await Promise.all(jobs);
  };
}
