import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Broadcast } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { capabilitiesOf } from '../domain/channels.ts';
import { AppError } from '../domain/errors.ts';
import { isMember } from '../domain/visibility.ts';
import { leftOutReason } from '../use-cases/broadcast-audience.ts';
import { loadActingUser, toViewer } from '../use-cases/load.ts';

export type RecipientResult = 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'refused' | 'removed';

export interface BroadcastProgress {
  broadcastId: string;
  /** `sending` while recipients wait for the broadcast worker, then `finished`. */
  state: 'sending' | 'finished';
  groupId: string;
  endpointId: string;
  channel: string;
  createdById: string;
  createdAt: string;
  finishedAt: string | null;
  /** What was asked for: `{ tag }` or `{ contactIds }`. */
  target: { tag?: string; contactIds?: string[] };
  total: number;
  /** Not sent yet: waiting for the broadcast worker (`pending` of them) or for the channel. */
  queued: number;
  pending: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  refused: number;
  /** Recipients whose conversation was deleted since (R24 removes the message). */
  removed: number;
  /** Why recipients were refused or failed, counted. */
  reasons: { result: 'refused' | 'failed'; reason: string; label: string; count: number }[];
  recipients: {
    contactId: string;
    result: RecipientResult;
    reason: string | null;
    messageId: string | null;
  }[];
}

interface Row {
  contact_id: string;
  state: string;
  refused_code: string | null;
  refused_reason: string | null;
  message_id: string | null;
  delivery_state: string | null;
  delivery_reason: string | null;
}

/** R8: where a broadcast stands, per recipient and in total (no access check: jobs and tests). */
export async function broadcastProgress(em: EntityManager, broadcastId: string): Promise<BroadcastProgress> {
  if (!z.uuid().safeParse(broadcastId).success)
    throw new AppError('not_found', 'That broadcast does not exist.');
  const broadcast = await em.fork().findOne(Broadcast, { id: broadcastId }, { populate: ['endpoint'] });
  if (!broadcast) throw new AppError('not_found', 'That broadcast does not exist.');
  const rows = await em.getConnection().execute<Row[]>(
    `select r.contact_id, r.state, r.refused_code, r.refused_reason, r.message_id, m.delivery_state, m.delivery_reason
       from broadcast_recipient r left join message m on m.id = r.message_id
      where r.broadcast_id = ? order by r.contact_id`,
    [broadcastId],
  );
  const channel = broadcast.endpoint.channel;
  const progress: BroadcastProgress = {
    broadcastId,
    state: broadcast.state === 'sending' ? 'sending' : 'finished',
    groupId: broadcast.group.id,
    endpointId: broadcast.endpoint.id,
    channel,
    createdById: broadcast.createdBy.id,
    createdAt: broadcast.createdAt.toISOString(),
    finishedAt: broadcast.finishedAt?.toISOString() ?? null,
    target: broadcast.target,
    total: rows.length,
    queued: 0,
    pending: 0,
    sent: 0,
    delivered: 0,
    read: 0,
    failed: 0,
    refused: 0,
    removed: 0,
    reasons: [],
    recipients: [],
  };
  const channelLabel = capabilitiesOf(channel)?.label ?? channel;
  const reasons = new Map<string, BroadcastProgress['reasons'][number]>();
  const countReason = (result: 'refused' | 'failed', reason: string, label: string) => {
    const key = `${result}:${reason}`;
    const seen = reasons.get(key);
    if (seen) seen.count += 1;
    else reasons.set(key, { result, reason, label, count: 1 });
  };
  for (const r of rows) {
    const result = recipientResult(r);
    progress[result] += 1;
    if (r.state === 'pending') progress.pending += 1;
    let reason: string | null = null;
    if (result === 'refused') {
      reason = r.refused_reason;
      const named = leftOutReason(r.refused_code ?? 'refused', channelLabel);
      countReason('refused', named.reason, r.refused_code ? named.label : (r.refused_reason ?? 'refused'));
    } else if (result === 'failed') {
      reason = r.delivery_reason;
      countReason('failed', r.delivery_reason ?? 'failed', r.delivery_reason ?? 'failed');
    }
    progress.recipients.push({ contactId: r.contact_id, result, reason, messageId: r.message_id });
  }
  progress.reasons = [...reasons.values()].sort((a, b) => b.count - a.count);
  return progress;
}

/**
 * R8, R33: a broadcast's progress for a user: only members of the broadcast's group may see it;
 * to anyone else it does not exist.
 */
export async function broadcastProgressFor(
  em: EntityManager,
  actor: Actor,
  broadcastId: string,
): Promise<BroadcastProgress> {
  if (!z.uuid().safeParse(broadcastId).success)
    throw new AppError('not_found', 'That broadcast does not exist or is not in your groups.');
  const fork = em.fork();
  const user = await loadActingUser(fork, actor);
  const broadcast = await fork.findOne(Broadcast, { id: broadcastId, account: user.account });
  if (!broadcast || !isMember(toViewer(user), broadcast.group.id))
    throw new AppError('not_found', 'That broadcast does not exist or is not in your groups.');
  return broadcastProgress(em, broadcastId);
}

function recipientResult(r: Row): RecipientResult {
  if (r.state === 'refused' || r.refused_reason) return 'refused';
  if (r.state === 'pending') return 'queued';
  const state = r.delivery_state;
  if (!r.message_id || !state) return 'removed';
  if (state === 'sending' || state === 'queued') return 'queued';
  return state as RecipientResult;
}
