import { Client } from '@microsoft/teams.api';
import type { Redis } from 'ioredis';
import type { Logger } from '../../../src/logger.ts';
import { quietVendorCalls, type VendorCalls } from '../../../src/metrics/vendor-calls.ts';
import { SurfaceRetryLater } from '../../../src/ports/agent-surface.ts';
import { createPlaceLimits } from '../shared/place-limits.ts';
import type { OutboundActivity, TeamsApi, TeamsMember } from './ports.ts';
import { classify, TeamsApiError } from './teams-api-errors.ts';
import { backgroundWait, TEAMS_APP_WINDOWS, TEAMS_THREAD_WINDOWS } from './teams-limits.ts';

export { TeamsAmbiguousError, TeamsApiError } from './teams-api-errors.ts';

/**
 * Parley's one way to call the Bot Connector (DESIGN 5), through the SDK's REST client
 * (`@microsoft/teams.api` Client): it takes a per-client timeout and its errors carry the HTTP
 * status, headers (Retry-After) and Teams' error body, which is all the classification needs, and
 * it does not retry on its own. Before a call it honours the holds Teams asked for and takes a
 * slot of the thread's and the app's rate windows (teams-limits.ts); when it must wait it
 * throws SurfaceRetryLater without calling. Failures: SurfaceRetryLater (wait: 429, 412, 5xx,
 * unreachable), TeamsAmbiguousError (no answer after a write left: it may have been carried out)
 * and TeamsApiError (refused; teams-api-errors.ts).
 */

export interface TeamsApiOptions {
  /** The Bot Connector base URL (TEAMS_SERVICE_URL or the cloud's). */
  serviceUrl: string;
  /** A Bot Framework token (token.ts, cached there). */
  token: () => Promise<string>;
  /** The tenant personal chats are created in (TEAMS_TENANT_ID). */
  tenantId: string;
  redis: Redis;
  prefix: string;
  logger: Logger;
  timeoutMs?: number;
  now?: () => number;
  /** Counts each call by operation and status, and the waits (metrics). */
  calls?: VendorCalls;
}

/** The client as the surface uses it: TeamsApi, plus taking a post slot before recording an attempt. */
export interface TeamsApiClient extends TeamsApi {
  /** Takes one slot of the place's windows now, or throws SurfaceRetryLater (a hold, or the pace). */
  takePostSlot(place: string): Promise<void>;
}

interface CallOpts {
  /** The Bot Connector operation, for the metrics (`createActivity`...): never an id. */
  method: string;
  /** The rate scope: a thread, a personal chat, a channel (new posts); none for app-level calls. */
  place?: string;
  /** Whether it changes something in Teams (a write with no answer is ambiguous). */
  write: boolean;
  slotTaken?: boolean;
  /** A call that can wait for posts (shared/place-limits.ts SlotOptions). */
  background?: boolean;
  /** Who waits for the place's slot, in line (shared/place-limits.ts SlotOptions). */
  waiter?: string;
}

export function createTeamsApi(opts: TeamsApiOptions): TeamsApiClient {
  const now = opts.now ?? Date.now;
  const calls = opts.calls ?? quietVendorCalls;
  const client = new Client(opts.serviceUrl, {
    timeout: opts.timeoutMs ?? 15_000,
    token: () => opts.token(),
    logger: quietLogger,
  });
  const limits = createPlaceLimits({
    redis: opts.redis,
    prefix: opts.prefix,
    surface: 'teams',
    label: 'Teams',
    place: TEAMS_THREAD_WINDOWS,
    app: TEAMS_APP_WINDOWS,
    now,
    calls,
  });
  const conversations = client.conversations;

  async function call<T>(what: string, o: CallOpts, run: () => Promise<T>): Promise<T> {
    const scope = o.place ?? 'app';
    let backingOff: string[] = [];
    try {
      if (o.place && !o.slotTaken)
        backingOff = await limits.takePostSlot(o.place, [], {
          background: o.background,
          ...(o.waiter ? { waiter: o.waiter } : {}),
        });
      else if (o.place) backingOff = await limits.checkHolds([o.place]);
      else {
        backingOff = await limits.checkHolds([scope]);
        await limits.takeAppSlot({ background: o.background });
      }
    } catch (err) {
      if (!(o.background && err instanceof SurfaceRetryLater)) throw err;
      throw new SurfaceRetryLater(err.message, backgroundWait(scope, err.retryAfterMs, now()));
    }
    try {
      const result = await run();
      calls.called('teams', o.method, 200);
      await limits.succeeded(backingOff);
      return result;
    } catch (err) {
      // Parley's own token could not be had (an AppError): no call went out.
      const failure = err as { isAxiosError?: boolean; response?: { status?: number } } | null;
      if (failure?.isAxiosError) calls.called('teams', o.method, failure.response?.status ?? 'network');
      const c = classify(err, what, o.write, now());
      if (c.kind === 'error') throw c.error;
      // 429 (Retry-After or back-off), 412, 5xx: the scope waits, longer each time in a row.
      throw await limits.hold(scope, c.kind === 'hold' ? c.retryAfterMs : undefined);
    }
  }

  const sent = (res: { id?: string }, what: string): string => {
    if (!res?.id) throw new TeamsApiError(what, 200, null, 'Teams answered without an activity id.');
    return res.id;
  };

  return {
    takePostSlot: async (place) => void (await limits.takePostSlot(place)),

    async createChannelPost(channelId, activity, o = {}) {
      const what = `a new post in ${channelId}`;
      const res = await call(
        what,
        { method: 'createActivity', place: channelId, write: true, waiter: o.waiter },
        () => conversations.createActivity(channelId, toParams(activity)),
      );
      const activityId = sent(res, what);
      return { threadId: `${channelId};messageid=${activityId}`, activityId };
    },

    async send(conversationId, activity, o = {}) {
      const what = `a message in ${conversationId}`;
      const res = await call(
        what,
        { method: 'createActivity', place: conversationId, write: true, slotTaken: o.slotTaken },
        () => conversations.createActivity(conversationId, toParams(activity)),
      );
      return { activityId: sent(res, what) };
    },

    async update(conversationId, activityId, activity, o = {}) {
      await call(
        `an update of ${activityId} in ${conversationId}`,
        { method: 'updateActivity', place: conversationId, write: true, background: o.background },
        () => conversations.updateActivity(conversationId, activityId, toParams(activity)),
      );
    },

    async delete(conversationId, activityId) {
      await call(
        `deleting ${activityId} in ${conversationId}`,
        { method: 'deleteActivity', place: conversationId, write: true },
        () => conversations.deleteActivity(conversationId, activityId),
      );
    },

    async openPersonalChat(teamsUserId) {
      const what = `a personal chat with ${teamsUserId}`;
      // Creating it again gives the same chat: not a write that could double anything.
      const res = await call(what, { method: 'createConversation', write: false }, () =>
        conversations.create({
          members: [{ id: teamsUserId, role: 'user' }],
          tenantId: opts.tenantId,
          channelData: { tenant: { id: opts.tenantId } },
        }),
      );
      if (!res?.id) throw new TeamsApiError(what, 200, null, 'Teams answered without a conversation id.');
      return res.id;
    },

    async member(conversationId, userId): Promise<TeamsMember | null> {
      try {
        const m = await call(
          `the member ${userId} of ${conversationId}`,
          { method: 'getMember', write: false },
          () => conversations.getMemberById(conversationId, userId),
        );
        const email = (m as { email?: string; userPrincipalName?: string }).email ?? null;
        const guest = m.userRole === 'guest';
        return { id: m.id, aadObjectId: m.aadObjectId ?? null, name: m.name ?? null, email, guest };
      } catch (err) {
        if (err instanceof TeamsApiError && err.code === 'not_found') return null;
        throw err;
      }
    },
  };
}

/** The SDK's parameter type is its activity builder's; ours is the same JSON. */
const toParams = (a: OutboundActivity) =>
  a as unknown as Parameters<Client['conversations']['createActivity']>[1];

const noop = () => {};
/** The SDK logs each failed request itself; Parley logs what it decides instead. */
const quietLogger = {
  error: noop,
  warn: noop,
  info: noop,
  debug: noop,
  log: noop,
  trace: noop,
  child: () => quietLogger,
};
