import { z } from 'zod';

/**
 * One definition per job kind: its queue, payload schema, job id (BullMQ ignores a second job
 * with the same id, so duplicate wake-ups collapse) and retry policy. Jobs carry ids only; the
 * worker reads what to do from PostgreSQL.
 */
export interface JobDefinition<P extends z.ZodType> {
  queue: string;
  payload: P;
  jobId: (payload: z.infer<P>) => string;
  attempts: number;
  backoffMs: number;
  /**
   * The job holds one database connection (its lock's transaction) while it needs another for
   * its work: a process runs fewer of them at once than its pool has connections (see worker.ts).
   */
  holdsConnection?: boolean;
}

const define = <P extends z.ZodType>(d: JobDefinition<P>) => d;
const id = z.uuid();

export const jobDefinitions = {
  /** Send one outbound message to the customer (state queued → sent or failed). */
  deliver: define({
    queue: 'deliver',
    payload: z.object({
      messageId: id,
      attempt: z.number().int().min(0).default(0),
      /** Set when a send rate delayed it: makes the id distinct from the job that is running now. */
      after: z.number().int().optional(),
    }),
    jobId: (p) => `deliver_${p.messageId}_${p.attempt}${p.after ? `_t${p.after}` : ''}`,
    attempts: 5,
    backoffMs: 2_000,
  }),
  /** Download an inbound message's attachments from the provider into storage. */
  fetchMedia: define({
    queue: 'fetch-media',
    payload: z.object({ messageId: id }),
    jobId: (p) => `media_${p.messageId}`,
    attempts: 5,
    backoffMs: 5_000,
  }),
  /** Remove a deleted conversation's attachment files from storage (R24). */
  purgeFiles: define({
    queue: 'purge-files',
    payload: z.object({ conversationId: id, storageKeys: z.array(z.string().min(1)).max(10_000) }),
    jobId: (p) => `purge_${p.conversationId}`,
    attempts: 10,
    backoffMs: 10_000,
  }),
  /** Bring a conversation's Slack/Teams threads up to date (R28, R31); `rev` makes each change its own job. */
  mirror: define({
    queue: 'mirror',
    payload: z.object({ conversationId: id, rev: z.string().default('0') }),
    jobId: (p) => `mirror_${p.conversationId}_${p.rev}`,
    attempts: 10,
    backoffMs: 1_000,
    holdsConnection: true,
  }),
  /**
   * Redraw the dashboards (Slack App Home) of a group's users after a change (R26, R32). The id
   * carries a short time bucket, so a burst of changes in one group becomes one redraw.
   */
  home: define({
    queue: 'home',
    payload: z.object({ groupId: id, bucket: z.number().int() }),
    jobId: (p) => `home_${p.groupId}_${p.bucket}`,
    attempts: 3,
    backoffMs: 2_000,
  }),
  /**
   * Redraw one user's dashboards after their access changed (R34/R35), whether they looked lately
   * or not: what they may no longer see must leave the screen. Clears `user.access_changed_at`.
   */
  userHome: define({
    queue: 'user-home',
    payload: z.object({ userId: id }),
    jobId: (p) => `home_user_${p.userId}`,
    attempts: 5,
    backoffMs: 2_000,
  }),
  /** Tell a chat identity it is no longer linked and clear its App Home (R35); from a ChatUnlinkNotice row. */
  unlinkNotice: define({
    queue: 'notices',
    payload: z.object({ noticeId: id }),
    jobId: (p) => `unlink_${p.noticeId}`,
    attempts: 5,
    backoffMs: 5_000,
  }),
  /** Post a group's digest to its channel (R27); made by a BullMQ job scheduler per group (digest-schedules.ts). */
  digest: define({
    queue: 'digest',
    // `surface`: only that surface's digest, once more (another surface's post already went).
    payload: z.object({ groupId: id, surface: z.string().min(1).max(40).optional() }),
    jobId: (p) => (p.surface ? `digest_${p.groupId}_${p.surface}` : `digest_${p.groupId}`),
    attempts: 3,
    backoffMs: 30_000,
  }),
  /**
   * Webchat housekeeping: delete uploads never sent and sessions that ended, with their files.
   * Made by a BullMQ job scheduler every WEBCHAT_CLEANUP_INTERVAL_MINUTES (cleanup-schedule.ts).
   */
  webchatCleanup: define({
    queue: 'webchat-cleanup',
    payload: z.object({ batch: z.number().int().min(1).max(10_000).default(500) }),
    jobId: () => 'webchat_cleanup',
    attempts: 3,
    backoffMs: 60_000,
  }),
  /**
   * Teams housekeeping: forget the activity ids claimed more than a day ago (Teams retries within
   * minutes). Made by a BullMQ job scheduler every hour while Teams is on (cleanup-schedule.ts).
   */
  teamsCleanup: define({
    queue: 'teams-cleanup',
    payload: z.object({}),
    jobId: () => 'teams_cleanup',
    attempts: 3,
    backoffMs: 60_000,
  }),
  /**
   * The AI agent answers a customer (R36): `messageId` is the customer message that woke it; the
   * worker answers the conversation's latest waiting message once the burst window has passed.
   * `attempt` makes a retry after a failed model call its own job.
   */
  aiReply: define({
    queue: 'ai-reply',
    payload: z.object({
      conversationId: id,
      messageId: id,
      attempt: z.number().int().min(0).default(0),
      /** Set when the job asks to run again later (a burst, a retry): distinct from the job running now. */
      wake: z.number().int().optional(),
    }),
    jobId: (p) => `ai_${p.messageId}_${p.attempt}${p.wake ? `_w${p.wake}` : ''}`,
    attempts: 3,
    backoffMs: 2_000,
  }),
  /**
   * R39: a running SLA wait reached its warning or due time: tell the assignees, or flag the
   * breach and tell the channel. The id carries the due time, so new targets make a new job.
   */
  slaCheck: define({
    queue: 'sla',
    payload: z.object({
      waitId: id,
      stage: z.enum(['warn', 'breach']),
      dueAt: z.number().int(),
      /** Surfaces already told, when one had to wait (paced): they are not told twice. */
      done: z.array(z.string().min(1).max(40)).max(10).default([]),
      wake: z.number().int().optional(),
    }),
    jobId: (p) => `sla_${p.waitId}_${p.stage}_${p.dueAt}${p.wake ? `_w${p.wake}` : ''}`,
    attempts: 5,
    backoffMs: 5_000,
  }),
  /** Tell the assignees (or the group) that the AI agent handed a conversation over (R36); from an AiTurn row. */
  aiHandoffNotice: define({
    queue: 'ai-handoff-notice',
    payload: z.object({
      turnId: id,
      /** Surfaces already told, when one had to wait (paced): they are not told twice. */
      done: z.array(z.string().min(1).max(40)).max(10).default([]),
      wake: z.number().int().optional(),
    }),
    jobId: (p) => `ai_handoff_${p.turnId}${p.wake ? `_w${p.wake}` : ''}`,
    attempts: 5,
    backoffMs: 5_000,
  }),
  /**
   * Post an internal message in its recipient's direct messages with the app, on each surface
   * they are linked on (R25); from InternalMessage.postedAt / InternalPost rows. `wake`: a paced
   * surface asked to come back later (distinct from the job running now).
   */
  internalPost: define({
    queue: 'internal-post',
    payload: z.object({ messageId: id, wake: z.number().int().optional() }),
    jobId: (p) => `internal_${p.messageId}${p.wake ? `_w${p.wake}` : ''}`,
    attempts: 5,
    backoffMs: 2_000,
  }),
  /** The auto responder looks at a conversation's new customer messages (R37). */
  /**
   * R8: send the next batch of a broadcast's recipients. Its own queue, one job at a time (see
   * worker.ts), and each batch enqueues the next after the endpoint's pace: a large broadcast
   * never holds a worker or starves ordinary deliveries. `wake` makes each batch its own job.
   */
  broadcast: define({
    queue: 'broadcast',
    payload: z.object({ broadcastId: id, wake: z.string().min(1).max(40).default('0') }),
    jobId: (p) => `broadcast_${p.broadcastId}_${p.wake}`,
    attempts: 5,
    backoffMs: 2_000,
  }),
  /** R8: redraw a broadcast's progress message for its creator; `bucket` throttles the redraws. */
  broadcastProgress: define({
    queue: 'broadcast-progress',
    payload: z.object({ broadcastId: id, bucket: z.number().int() }),
    jobId: (p) => `broadcast_progress_${p.broadcastId}_${p.bucket}`,
    attempts: 5,
    backoffMs: 5_000,
  }),
  autoRespond: define({
    queue: 'auto-respond',
    payload: z.object({ conversationId: id, messageId: id }),
    jobId: (p) => `auto_${p.messageId}`,
    attempts: 5,
    backoffMs: 2_000,
  }),
  /**
   * R38: open the payment provider's session for an invoice or checkout and send its pay link to
   * the contact. `attempt` is the invoice's link attempt (an admin's retry is its own job).
   */
  payLink: define({
    queue: 'pay-link',
    payload: z.object({
      kind: z.enum(['invoice', 'checkout']),
      id,
      attempt: z.number().int().min(0).default(0),
    }),
    jobId: (p) => `paylink_${p.kind}_${p.id}_${p.attempt}`,
    attempts: 5,
    backoffMs: 5_000,
  }),
  /** R38: expire at the provider the live pay link of a voided invoice, so it can no longer be paid. */
  expirePayLink: define({
    queue: 'expire-pay-link',
    payload: z.object({ kind: z.enum(['invoice', 'checkout']), id }),
    jobId: (p) => `payexpire_${p.kind}_${p.id}`,
    attempts: 5,
    backoffMs: 10_000,
  }),
  /** R38: apply one committed payment provider event (paid, expired, failed) to its invoice or checkout. */
  paymentEvent: define({
    queue: 'payment-event',
    payload: z.object({ paymentEventId: id }),
    jobId: (p) => `payevent_${p.paymentEventId}`,
    attempts: 10,
    backoffMs: 2_000,
  }),
  /** R42: ask a closed conversation's customer for a rating (or record why it cannot be asked). */
  csat: define({
    queue: 'csat',
    payload: z.object({ surveyId: id }),
    jobId: (p) => `csat_${p.surveyId}`,
    attempts: 5,
    backoffMs: 5_000,
  }),
} as const;

export type JobKind = keyof typeof jobDefinitions;
export type JobPayload<K extends JobKind> = z.input<(typeof jobDefinitions)[K]['payload']>;
export type ParsedPayload<K extends JobKind> = z.infer<(typeof jobDefinitions)[K]['payload']>;

export const queueNames = [...new Set(Object.values(jobDefinitions).map((d) => d.queue))];

export function kindOfQueue(queue: string): JobKind {
  const kind = (Object.keys(jobDefinitions) as JobKind[]).find((k) => jobDefinitions[k].queue === queue);
  if (!kind) throw new Error(`no job kind for queue ${queue}`);
  return kind;
}
