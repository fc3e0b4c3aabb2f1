import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import { Group, User } from '../../../src/db/entities/index.ts';
import type { Logger } from '../../../src/logger.ts';
import {
  type AgentSurface,
  type MirrorPlace,
  type PostStep,
  SurfaceRetryLater,
  type ThreadHeader,
  type ThreadRef,
} from '../../../src/ports/agent-surface.ts';
import type { SetupErrorSink, SetupSubject } from './admin-notices.ts';
import { showTeamsBroadcastProgress } from './broadcast-progress.ts';
import type { MediaLink } from './cards/item-parts.ts';
import { channelNoticeCard, channelPostLink } from './cards/notice-card.ts';
import { headerActivity, openChannelPost } from './channel-post.ts';
import { channelFix, postTeamsDigest } from './digest.ts';
import { clearDashboard, publishDashboard } from './home.ts';
import { postTeamsInternalMessage } from './internal-chat.ts';
import { personalChat } from './personal-chats.ts';
import { postItems } from './post-items.ts';
import type { TeamsApiClient } from './teams-api.ts';
import { TeamsApiError } from './teams-api-errors.ts';
import type { TeamsGraph } from './teams-lookup.ts';
import { escapeTeamsText } from './teams-text.ts';
import type { TeamsThread } from './teams-thread.ts';
import { channelOfThread, teamsThread } from './teams-thread.ts';
import { removeTeamsThread, updateItemState } from './thread-edits.ts';

/**
 * The Teams side of the AgentSurface port (issue 10): draws conversations into Teams through the
 * Bot Connector (teams-api.ts) — a post per conversation in the group's channel with its header
 * card as the root and every item as a reply; while restricted (R31) a content-free stub there and
 * the conversation in each listed user's personal chat with the app; dashboards, digests and
 * private notices. What goes where is the mirror use-case's decision; this only draws.
 */
export interface TeamsSurfaceDeps {
  api: TeamsApiClient;
  em: () => EntityManager;
  redis: Redis;
  prefix: string;
  logger: Logger;
  /** Signed links to stored attachments, for files shown in cards. */
  mediaLink: MediaLink;
  /** Graph, to read a channel post's replies back (teams-lookup.ts); optional. */
  graph?: TeamsGraph;
  /** Told when Teams refuses for a reason an admin must fix (what, and what to do); logged otherwise. */
  onSetupError?: SetupErrorSink;
  /** The Teams web client (cloud.ts) and the tenant, for links to a channel post; no links without. */
  webUrl?: string;
  tenantId?: string;
  now?: () => number;
}

/** Refusals an admin fixes in Teams: the work waits and is tried again every few minutes. */
const SETUP_CODES = new Set(['app_not_installed', 'app_blocked', 'not_found', 'forbidden']);
const SETUP_RETRY_MS = 5 * 60_000;

export const installFix = (name: string): string =>
  `Install the Parley app for ${name}: in the Teams admin center, Teams apps › Manage apps › Parley › Install for users (or an app setup policy that installs it), or ${name} adds Parley from Apps in Teams. Their restricted conversations appear in their chat with Parley once it is installed; nothing is shown in the shared channel instead.`;

export function createTeamsSurface(deps: TeamsSurfaceDeps): AgentSurface {
  const { api } = deps;
  const setupError: SetupErrorSink = async (what, fix, about) =>
    deps.onSetupError
      ? deps.onSetupError(what, fix, about)
      : deps.logger.warn({ what, ...about }, `Teams refused ${what}: ${fix}`);

  /**
   * A refusal an admin must fix becomes a wait (with the fix told), anything else goes on up. The
   * wait is kept per place in Redis, so runs that come back sooner for other places do not ask
   * Teams again meanwhile.
   */
  const setupWaitKey = (scope: string) => `${deps.prefix}:teams:setup-wait:${scope}`;
  async function waitForSetup(
    err: unknown,
    what: string,
    fix: string,
    about: SetupSubject & { scope: string },
  ): Promise<never> {
    if (!(err instanceof TeamsApiError && SETUP_CODES.has(err.code))) throw err;
    const { scope, ...subject } = about;
    const until = (deps.now?.() ?? Date.now()) + SETUP_RETRY_MS;
    const wait = JSON.stringify({ until, reason: `${err.message}. ${fix}` });
    await deps.redis.set(setupWaitKey(scope), wait, 'PX', SETUP_RETRY_MS);
    await setupError(what, fix, subject);
    throw new SurfaceRetryLater(`${err.message}. ${fix}`, SETUP_RETRY_MS);
  }
  async function checkSetupWait(scope: string): Promise<void> {
    const raw = await deps.redis.get(setupWaitKey(scope));
    if (!raw) return;
    const { until, reason } = JSON.parse(raw) as { until: number; reason: string };
    const left = until - (deps.now?.() ?? Date.now());
    if (left > 0) throw new SurfaceRetryLater(reason, left);
  }

  async function teamOf(channelId: string): Promise<string | null> {
    const group = await deps.em().findOne(Group, { teamsChannelId: channelId }, { fields: ['teamsTeamId'] });
    return group?.teamsTeamId ?? null;
  }

  async function openThread(place: MirrorPlace, header: ThreadHeader): Promise<TeamsThread> {
    const base = { conversation_id: header.conversationId, number: header.number };
    if (place.kind === 'channel') {
      const channel = place.channelId;
      const team = await teamOf(channel);
      await checkSetupWait(`channel:${channel}`);
      const post = await openChannelPost(deps, channel, team, header).catch((err: unknown) =>
        waitForSetup(err, `a post in ${channel}`, channelFix(channel), {
          channelId: channel,
          scope: `channel:${channel}`,
        }),
      );
      return {
        kind: 'channel',
        conversation: post.threadId,
        root: post.activityId,
        channel,
        ...(team ? { team } : {}),
        ...base,
      };
    }
    const { user } = place;
    // R31: never the shared channel instead; the conversation waits for the app to be installed.
    await checkSetupWait(`user:${user.platformUserId}`);
    const chat = await personalChat(deps, user.platformUserId).catch((err: unknown) =>
      waitForSetup(err, `a personal chat with ${user.name}`, installFix(user.name), {
        userId: user.id,
        scope: `user:${user.platformUserId}`,
      }),
    );
    const { activityId } = await api
      .send(chat.conversationId, headerActivity(header, 'personal'))
      .catch((err: unknown) => personalSetupWait(err, user.platformUserId));
    return {
      kind: 'personal',
      conversation: chat.conversationId,
      root: activityId,
      user: user.platformUserId,
      ...base,
    };
  }

  /** A line only this Teams user reads, in their chat with the app; the app not installed for them is logged. */
  async function tellPrivately(teamsUserId: string, text: string): Promise<void> {
    try {
      const chat = await personalChat(deps, teamsUserId);
      await api.send(chat.conversationId, {
        type: 'message',
        text: escapeTeamsText(text),
        textFormat: 'markdown',
      });
    } catch (err) {
      if (
        !(
          err instanceof TeamsApiError &&
          ['app_not_installed', 'app_blocked', 'blocked_by_user'].includes(err.code)
        )
      )
        throw err;
      deps.logger.warn(
        { teamsUserId, code: err.code },
        'teams: a private notice could not be given (the app is not installed for the user)',
      );
    }
  }

  /**
   * The app was removed for a user after their chat was opened (Teams answers 403 there): their
   * restricted conversations wait for it to be installed again, as before the first opening.
   */
  async function personalSetupWait(err: unknown, teamsUserId: string): Promise<never> {
    const user = await deps.em().findOne(User, { teamsUserId }, { fields: ['id', 'name'] });
    const name = user?.name ?? 'this user';
    return waitForSetup(err, `a personal chat with ${name}`, installFix(name), {
      ...(user ? { userId: user.id } : {}),
      scope: `user:${teamsUserId}`,
    });
  }
  async function* guardPersonal(ref: ThreadRef, steps: AsyncIterable<PostStep>): AsyncGenerator<PostStep> {
    const t = teamsThread(ref);
    if (t.kind !== 'personal' || !t.user) return yield* steps;
    await checkSetupWait(`user:${t.user}`);
    try {
      yield* steps;
    } catch (err) {
      await personalSetupWait(err, t.user);
    }
  }

  const homeDeps = deps;
  return {
    name: 'teams',
    channelOf: (group) => group.teamsChannelId ?? null,
    userIdOf: (user) => user.teamsUserId ?? null,

    openThread: async (place, header) =>
      (await openThread(place, header)) as unknown as Record<string, unknown>,

    postItems: (thread, items) => guardPersonal(thread, postItems(deps, thread, items)),

    updateItem: (thread, post, item) => updateItemState(deps, thread, post, item),

    async updateHeader(thread, header, change) {
      const t = teamsThread(thread);
      try {
        // A new count alone waits for posts when Teams' windows run short (teams-api.ts).
        await api.update(t.conversation, t.root, headerActivity(header, t.kind), {
          background: change?.countOnly === true,
        });
      } catch (err) {
        // Someone deleted the post's root in Teams: nothing to redraw.
        if (!(err instanceof TeamsApiError && err.code === 'not_found')) throw err;
        deps.logger.warn({ conversation: t.conversation }, 'teams: the header card is gone; not redrawn');
      }
    },

    removeThread: (thread, mode) => removeTeamsThread(deps, thread, mode),

    publishHome: (userId, opts) => publishDashboard(homeDeps, userId, opts),

    postDigest: (groupId) =>
      postTeamsDigest(
        { ...deps, now: deps.now ? () => new Date(deps.now!()) : undefined, onSetupError: setupError },
        groupId,
      ),

    async notify(userId, text) {
      const user = await deps.em().findOne(User, userId, { fields: ['teamsUserId'] });
      if (user?.teamsUserId) await tellPrivately(user.teamsUserId, text);
    },

    async notifyChannel(channelId, text, thread) {
      // A link only to a post in this very channel: a restricted conversation's personal chats
      // are nothing the channel may point at (R31).
      const t = thread && thread.kind === 'channel' ? teamsThread(thread) : null;
      const link =
        t && deps.webUrl && (t.channel ?? channelOfThread(t.conversation)) === channelId
          ? channelPostLink(deps.webUrl, {
              channel: channelId,
              root: t.root,
              tenantId: deps.tenantId,
              team: t.team,
            })
          : null;
      try {
        await api.createChannelPost(channelId, channelNoticeCard(text, link));
      } catch (err) {
        if (err instanceof TeamsApiError && (err.code === 'app_not_installed' || err.code === 'not_found'))
          await setupError(`a notice in ${channelId}`, channelFix(channelId), { channelId });
        throw err;
      }
    },

    showBroadcastProgress: (userId, view, post) => showTeamsBroadcastProgress(deps, userId, view, post),

    postInternalMessage: (teamsUserId, message, opts) =>
      postTeamsInternalMessage(deps, teamsUserId, message, opts),

    async tellUnlinked(teamsUserId, text) {
      await clearDashboard(homeDeps, teamsUserId, text).catch((err: unknown) => {
        if (!(err instanceof TeamsApiError && err.code === 'app_not_installed')) throw err;
      });
      await tellPrivately(teamsUserId, text);
    },
  };
}
