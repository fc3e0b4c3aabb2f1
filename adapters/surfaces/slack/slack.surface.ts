import type { Redis } from 'ioredis';
import type { Logger } from '../../../src/logger.ts';
import type { AgentSurface, MirrorPlace, ThreadHeader, ThreadRef } from '../../../src/ports/agent-surface.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { showSlackBroadcastProgress } from './broadcast-progress.ts';
import { escapeText } from './escape.ts';
import { threadUrl } from './home-view.ts';
import { postSlackInternalMessage } from './internal-chat.ts';
import { notLinkedHome } from './not-linked-home.ts';
import { postItems } from './post-items.ts';
import type { SlackApi } from './slack-api.ts';
import { slackThread } from './slack-thread.ts';
import { headerMessage } from './thread-blocks.ts';
import { removeSlackThread, updateItemState } from './thread-edits.ts';

/**
 * The Slack side of the AgentSurface port: draws conversations into Slack through the Web API
 * (threads, App Home, digests, private notices). Decisions about what goes where belong to the
 * mirror use-case; this only draws, honouring Slack's rate limits through SlackApi.
 */
export interface SlackSurfaceDeps {
  api: SlackApi;
  storage: Storage;
  logger: Logger;
  loadUserSlackId: (userId: string) => Promise<string | null>;
  /** A complete view for views.publish; null: nothing to publish (with `force`, always a view). */
  renderHome: (userId: string, opts?: { force?: boolean }) => Promise<object | null>;
  renderDigest: (groupId: string) => Promise<{ channel: string; text: string; blocks: object[] } | null>;
  /** An admin's user token (SLACK_USER_TOKEN): lets removeThread delete people's messages and files too. */
  userToken?: string;
  /** Where removeThread remembers the files it already deleted (a run cut short goes on from there). */
  redis: Redis;
  prefix: string;
}

const NO_UNFURL = { unfurl_links: false, unfurl_media: false } as const;

export function createSlackSurface(deps: SlackSurfaceDeps): AgentSurface {
  const { api } = deps;

  async function placeChannel(place: MirrorPlace): Promise<string> {
    if (place.kind === 'channel') return place.channelId;
    const res = await api.call<{ channel?: { id?: string } }>('conversations.open', {
      users: place.user.platformUserId,
    });
    const id = res.channel?.id;
    if (!id) throw new Error(`Slack opened no direct message with ${place.user.platformUserId}.`);
    return id;
  }

  return {
    name: 'slack',
    channelOf: (group) => group.slackChannelId ?? null,
    userIdOf: (user) => user.slackUserId ?? null,

    async openThread(place, header): Promise<ThreadRef> {
      const channel = await placeChannel(place);
      const res = await api.call<{ ts: string; channel?: string }>(
        'chat.postMessage',
        {
          channel,
          ...headerMessage(header),
          ...NO_UNFURL,
          metadata: {
            event_type: 'parley_thread',
            event_payload: { conversation_id: header.conversationId },
          },
        },
        { channel, waiter: header.conversationId },
      );
      return { channel: res.channel ?? channel, ts: res.ts, conversation_id: header.conversationId };
    },

    postItems: (thread, items) => postItems(deps, thread, items),

    updateItem: (thread, post, item) => updateItemState(deps, thread, post, item),

    async updateHeader(thread, header: ThreadHeader) {
      const t = slackThread(thread);
      await api.call(
        'chat.update',
        { channel: t.channel, ts: t.ts, ...headerMessage(header) },
        { channel: t.channel },
      );
    },

    removeThread: (thread, mode) => removeSlackThread(deps, thread, mode),

    async publishHome(userId, opts) {
      // The view first: it is null at once (one Redis read) for the many who have not looked lately.
      const view = await deps.renderHome(userId, opts);
      if (!view) return;
      const slackUserId = await deps.loadUserSlackId(userId);
      if (!slackUserId) return;
      await api.call('views.publish', { user_id: slackUserId, view });
    },

    async postDigest(groupId) {
      const digest = await deps.renderDigest(groupId);
      if (!digest) return;
      await api.call(
        'chat.postMessage',
        { channel: digest.channel, text: digest.text, blocks: digest.blocks, ...NO_UNFURL },
        { channel: digest.channel },
      );
    },

    async notify(userId, text) {
      const slackUserId = await deps.loadUserSlackId(userId);
      if (!slackUserId) return;
      // To the user's id: Slack puts it in their direct messages with the app. Escaped: a refusal
      // or a failure reason can quote a customer's name.
      await api.call(
        'chat.postMessage',
        { channel: slackUserId, text: escapeText(text), ...NO_UNFURL },
        { channel: slackUserId },
      );
    },

    async notifyChannel(channelId, text, thread) {
      // A link only to a thread in this very channel: a restricted conversation's thread in
      // someone's direct messages is nothing the channel may point at (R31).
      const t = thread && typeof thread.channel === 'string' && typeof thread.ts === 'string' ? thread : null;
      const url =
        t?.channel === channelId ? threadUrl(await api.teamUrl().catch(() => null), slackThread(t)) : null;
      // Escaped: the notice may quote a customer's or a user's name.
      const body = escapeText(text);
      await api.call(
        'chat.postMessage',
        {
          channel: channelId,
          text: url ? `${body}\n<${url}|Open the conversation>` : body,
          ...NO_UNFURL,
        },
        { channel: channelId },
      );
    },

    postInternalMessage: (slackUserId, message, opts) =>
      postSlackInternalMessage(deps, slackUserId, message, opts),

    showBroadcastProgress: (userId, view, post) => showSlackBroadcastProgress(deps, userId, view, post),

    async tellUnlinked(slackUserId, text) {
      await api.call('views.publish', { user_id: slackUserId, view: notLinkedHome(text) });
      await api.call(
        'chat.postMessage',
        { channel: slackUserId, text: escapeText(text), ...NO_UNFURL },
        { channel: slackUserId },
      );
    },
  };
}
