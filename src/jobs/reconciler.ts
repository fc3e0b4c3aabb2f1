import type { EntityManager } from '@mikro-orm/postgresql';
import type { DomainEvent } from '../domain/events.ts';
import type { Logger } from '../logger.ts';
import type { ChannelRegistry } from '../ports/customer-channel.ts';
import { resolveInterruptedSend } from '../use-cases/resolve-interrupted-send.ts';
import { enqueue, type Queues } from './queues.ts';
import { reconcileAi } from './reconcile-ai.ts';
import { reconcileAutoResponder } from './reconcile-auto-responder.ts';
import { reconcileBroadcasts } from './reconcile-broadcasts.ts';
import { reconcileCsat } from './reconcile-csat.ts';
import { reconcileInternalPosts } from './reconcile-internal-chat.ts';
import { reconcilePayments } from './reconcile-payments.ts';
import { reconcileSla } from './reconcile-sla.ts';

/**
 * Finds work that is due in PostgreSQL and wakes a worker for it, so losing Redis (or a job) costs
 * latency, never a message. Safe to run any number of times and from any number of processes: the
 * job ids collapse duplicate wake-ups and the workers' claims make each piece of work happen once.
 */
export interface ReconcileDeps {
  em: EntityManager;
  queues: Queues;
  channels: ChannelRegistry;
  /** Whether chat surfaces are configured (then conversations behind on their threads are re-mirrored). */
  surfaces: boolean;
  dispatch: (events: DomainEvent[]) => Promise<void>;
  now?: () => Date;
  batch?: number;
  /** R36: the AI agent answers a burst after this quiet time (AI_BURST_WINDOW_MS); 2 s if unset. */
  aiBurstWindowMs?: number;
  /** Where a failed step is told (each step is isolated: one failing never stops the others). */
  logger?: Logger;
}

export interface ReconcileReport {
  deliveries: number;
  interrupted: number;
  mirrors: number;
  media: number;
  /** AI answers and handoff notices woken (R36). */
  ai: number;
  /** Auto responder looks woken (R37). */
  autoResponses: number;
  /** SLA warnings and breaches woken (R39). */
  sla?: number;
  /** Pay links to open and payment provider events to apply, woken again (R38). */
  payments?: number;
  /** Rating requests of closed conversations woken again (R42). */
  csat?: number;
  /** Internal messages whose direct-message posts were woken again (R25). */
  internalPosts?: number;
  /** Broadcast batches and progress messages woken (R8). */
  broadcasts?: number;
  /** The steps that failed this time (logged; the others ran, and these run again next time). */
  failed: string[];
}

/** Runs one step of a tick on its own: a failure is logged and listed, and the next step still runs. */
export function makeStepRunner(logger: Logger | undefined, failed: string[]) {
  return async <T>(name: string, fallback: T, work: () => Promise<T>, about?: object): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (!failed.includes(name)) failed.push(name);
      logger?.warn(
        { err, step: name, ...about },
        `reconciler step "${name}" failed; the other steps ran, it runs again next time`,
      );
      return fallback;
    }
  };
}

export async function reconcile(deps: ReconcileDeps): Promise<ReconcileReport> {
  const now = deps.now ? deps.now() : new Date();
  const batch = deps.batch ?? 1000;
  const conn = deps.em.getConnection();
  const failed: string[] = [];
  const step = makeStepRunner(deps.logger, failed);
  // Each step gets its own EntityManager: one that failed half-way leaves nothing for the next to flush.
  const em = () => deps.em.fork() as EntityManager;

  const deliveries = await step('deliveries', 0, async () => {
    const due = await conn.execute<{ id: string; delivery_attempts: number }[]>(
      `select id, delivery_attempts from message
       where delivery_state = 'queued' and delivery_due_at <= ? order by delivery_due_at limit ?`,
      [now, batch],
    );
    await Promise.all(
      due.map((m) => enqueue(deps.queues, 'deliver', { messageId: m.id, attempt: m.delivery_attempts })),
    );
    return due.length;
  });

  const interrupted = await step('interrupted', 0, async () => {
    const rows = await conn.execute<{ id: string }[]>(
      `select id from message where delivery_state = 'sending' and delivery_due_at <= ? order by delivery_due_at limit ?`,
      [now, batch],
    );
    let resolved = 0;
    // One message whose send cannot be resolved does not hold up the others.
    for (const m of rows) {
      const resolve = async () => {
        const result = await resolveInterruptedSend({ em: em(), channels: deps.channels, now }, m.id);
        if (result.requeued)
          await enqueue(deps.queues, 'deliver', { messageId: m.id, attempt: result.attempt });
        await deps.dispatch(result.events);
        return 1;
      };
      resolved += await step('interrupted', 0, resolve, { messageId: m.id });
    }
    return resolved;
  });

  // Inbound attachments still at the provider (providers keep media for days, so a day is plenty).
  const media = await step('media', 0, async () => {
    const rows = await conn.execute<{ id: string }[]>(
      `select id from message where kind = 'inbound' and created_at > ?
         and attachments @> '[{"status": "pending"}]'::jsonb order by created_at limit ?`,
      [new Date(now.getTime() - 24 * 3600_000), batch],
    );
    await Promise.all(rows.map((m) => enqueue(deps.queues, 'fetchMedia', { messageId: m.id })));
    return rows.length;
  });

  const common = { queues: deps.queues, now, batch };
  // R37: customer messages the auto responder has not looked at (its wake-up was lost).
  const autoResponses = await step('autoResponses', 0, () => reconcileAutoResponder({ ...common, em: em() }));
  // R39: SLA waits that began, and warnings and breaches whose notice was lost.
  const sla = await step('sla', 0, () => reconcileSla({ ...common, em: em() }));
  const payments = await step('payments', 0, () => reconcilePayments({ ...common, em: em() }));
  const csat = await step('csat', 0, () => reconcileCsat({ ...common, em: em() }));
  // R8: broadcasts whose next batch is overdue (the job was lost) carry on.
  const broadcasts = await step('broadcasts', 0, () =>
    reconcileBroadcasts({ ...common, em: em(), surfaces: deps.surfaces }),
  );

  let mirrors = 0;
  let internalPosts = 0;
  if (deps.surfaces) {
    mirrors = await step('mirrors', 0, () => wakeMirrors(deps, now, batch));
    await step('accessChanges', undefined, () => wakeAccessChanges(deps, now, batch));
    internalPosts = await step('internalPosts', 0, () => reconcileInternalPosts({ ...common, em: em() }));
  }
  const ai = await step('ai', 0, () =>
    reconcileAi({
      ...common,
      em: em(),
      surfaces: deps.surfaces,
      burstWindowMs: deps.aiBurstWindowMs ?? 2_000,
    }),
  );
  return {
    deliveries,
    interrupted,
    mirrors,
    media,
    ai,
    autoResponses,
    sla,
    payments,
    csat,
    broadcasts,
    internalPosts,
    failed,
  };
}

/** Threads behind their conversation, and recently active conversations of linked groups with no thread yet. */
async function wakeMirrors(deps: ReconcileDeps, now: Date, batch: number): Promise<number> {
  const conn = deps.em.getConnection();
  const behind = await conn.execute<{ id: string; last_seq: number }[]>(
    `select c.id, c.last_seq from conversation c
     where exists (select 1 from surface_thread t where t.conversation_id = c.id and t.state <> 'removed'
                     and (t.mirrored_seq < c.last_seq or t.header_dirty or c.status = 'deleted'))
        or (c.status <> 'deleted' and c.last_message_at > ? and c.last_seq > 0
            and not exists (select 1 from surface_thread t where t.conversation_id = c.id)
            and exists (select 1 from groups g where g.id = c.group_id
                          and (g.slack_channel_id is not null or g.teams_channel_id is not null)))
     limit ?`,
    [new Date(now.getTime() - 24 * 3600_000), batch],
  );
  // Posts that show an older delivery (or AI draft) state than their message's (a lost wake-up after a status).
  const redraw = await conn.execute<{ id: string; last_seq: number }[]>(
    `select distinct t.conversation_id as id, 0 as last_seq from message m
       join surface_post p on p.message_id = m.id
       join surface_thread t on t.id = p.thread_id and t.state = 'active'
     where m.delivery_updated_at > ? and p.shown_state is distinct from coalesce(m.delivery_state, m.draft_state)
       and p.updated_at < ?
     limit ?`,
    [new Date(now.getTime() - 24 * 3600_000), new Date(now.getTime() - 10_000), batch],
  );
  const toMirror = [...behind, ...redraw.filter((r) => !behind.some((b) => b.id === r.id))];
  await Promise.all(
    toMirror.map((c) => enqueue(deps.queues, 'mirror', { conversationId: c.id, rev: `r${c.last_seq}` })),
  );
  return toMirror.length;
}

/**
 * R34/R35: dashboards of users whose access changed, and notices to chat identities that were
 * unlinked, still waiting a few seconds after the change (their wake-up was lost, or the change
 * came through the CLI, which has no queue).
 */
async function wakeAccessChanges(deps: ReconcileDeps, now: Date, batch: number): Promise<void> {
  const conn = deps.em.getConnection();
  const settled = new Date(now.getTime() - 5_000);
  const users = await conn.execute<{ id: string }[]>(
    `select id from users where access_changed_at is not null and access_changed_at <= ? limit ?`,
    [settled, batch],
  );
  const notices = await conn.execute<{ id: string }[]>(
    `select id from chat_unlink_notice where told_at is null and created_at <= ? order by created_at limit ?`,
    [settled, batch],
  );
  await Promise.all([
    ...users.map((u) => enqueue(deps.queues, 'userHome', { userId: u.id })),
    ...notices.map((n) => enqueue(deps.queues, 'unlinkNotice', { noticeId: n.id })),
  ]);
}

/** Runs `reconcile` on an interval in one process at a time (a PostgreSQL advisory lock elects it). */
export function startReconcileLoop(opts: {
  intervalMs: number;
  fork: () => EntityManager;
  run: (em: EntityManager) => Promise<ReconcileReport>;
  onError: (err: unknown) => void;
}): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const tick = () => {
    if (running) return;
    running = (async () => {
      const em = opts.fork();
      await em.transactional(async (tx) => {
        const [row] = await tx
          .getConnection()
          .execute<{ ok: boolean }[]>(
            `select pg_try_advisory_xact_lock(hashtext('parley.reconcile')) as ok`,
            [],
            'all',
            tx.getTransactionContext(),
          );
        if (row?.ok) await opts.run(em);
      });
    })()
      .catch(opts.onError)
      .finally(() => {
        running = null;
      });
  };
  const timer = setInterval(tick, opts.intervalMs);
  tick();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
