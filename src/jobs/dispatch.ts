import type { DomainEvent } from '../domain/events.ts';
import { enqueue, type Queues } from './queues.ts';

const outboundKinds = new Set(['reply', 'ai', 'auto_response']);

export interface DispatchOptions {
  /** Whether any chat surface (Slack, Teams) is configured; without one, mirror jobs are skipped. */
  surfaces: boolean;
  now?: () => number;
}

/**
 * Turns committed domain events into wake-up calls. A lost call costs latency only: the
 * reconciler finds the same work from PostgreSQL.
 */
export function createDispatcher(queues: Queues, opts: DispatchOptions) {
  return async (events: DomainEvent[]): Promise<void> => {
    const now = opts.now ? opts.now() : Date.now();
    const jobs: Promise<void>[] = [];
    const mirrored = new Set<string>();
    for (const e of events) {
      if (e.type === 'message.created' && outboundKinds.has(e.kind)) {
        jobs.push(enqueue(queues, 'deliver', { messageId: e.messageId, attempt: 0 }));
      }
      if (e.type === 'conversation.deleted' && e.storageKeys?.length) {
        jobs.push(
          enqueue(queues, 'purgeFiles', { conversationId: e.conversationId, storageKeys: e.storageKeys }),
        );
      }
      if (e.type === 'message.created' && e.pendingMedia) {
        jobs.push(enqueue(queues, 'fetchMedia', { messageId: e.messageId }));
      }
      if (!opts.surfaces) continue;
      if ('conversationId' in e && 'groupId' in e && !mirrored.has(e.conversationId)) {
        mirrored.add(e.conversationId);
        jobs.push(enqueue(queues, 'mirror', { conversationId: e.conversationId, rev: `${now}` }));
      }
    }
    await Promise.all(jobs);
  };
}
