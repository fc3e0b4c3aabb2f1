import type { MirrorItem, PostRef, ThreadRef } from '../../../src/ports/agent-surface.ts';
import { escapeText } from './escape.ts';
import { type SlackApi, SlackApiError } from './slack-api.ts';
import { postedByApp, slackThread, threadReplies } from './slack-thread.ts';
import { itemMessage, STATE_REACTIONS, snippet, stubMessage } from './thread-blocks.ts';
import { removeThreadFiles, type ThreadFileDeps } from './thread-files.ts';

/** Changes to what is already in a Slack thread: a post's delivery state, and removing a thread. */

/** Slack errors that mean "already the way you want it". */
const ALREADY = new Set(['message_not_found', 'already_reacted', 'no_reaction']);
async function tolerant(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof SlackApiError && ALREADY.has(err.code))) throw err;
  }
}

/**
 * R29: a reply's delivery state shows on its post. A post the app made alone is redrawn with the
 * new state line. An agent's own message cannot be edited by the app, and a combined post has no
 * line per item, so there the state is a reaction (the previous state's reaction removed), and a
 * failure adds a warning in the thread, once (the failure reaction marks it as shown).
 */
export async function updateItemState(
  deps: { api: SlackApi },
  thread: ThreadRef,
  post: PostRef,
  item: MirrorItem,
): Promise<void> {
  const t = slackThread(thread);
  const channel = String(post.channel ?? t.channel);
  const ts = String(post.ts);
  if (!post.own && !post.combined) {
    await deps.api.call('chat.update', { channel, ts, ...withoutVoice(itemMessage([item])) }, { channel });
    return;
  }
  const me = await deps.api.identity();
  const got = await deps.api.call<{ message?: { reactions?: { name: string; users?: string[] }[] } }>(
    'reactions.get',
    { channel, timestamp: ts, full: true },
    { channel },
  );
  const stateNames = new Set(Object.values(STATE_REACTIONS));
  const shown = (got.message?.reactions ?? [])
    .filter((r) => stateNames.has(r.name) && r.users?.includes(me.botUserId))
    .map((r) => r.name);
  const want = item.deliveryState ? STATE_REACTIONS[item.deliveryState] : undefined;
  if (item.deliveryState === 'failed' && !shown.includes(STATE_REACTIONS.failed!)) {
    const quote = snippet(item);
    await deps.api.call(
      'chat.postMessage',
      {
        channel,
        thread_ts: t.ts,
        text: `:warning: Not delivered to the customer: ${escapeText(item.deliveryReason ?? 'unknown reason')}${quote ? `\n> ${quote}` : ''}`,
        unfurl_links: false,
        unfurl_media: false,
      },
      { channel },
    );
  }
  for (const name of shown) {
    if (name !== want)
      await tolerant(deps.api.call('reactions.remove', { channel, timestamp: ts, name }, { channel }));
  }
  if (want && !shown.includes(want)) {
    await tolerant(deps.api.call('reactions.add', { channel, timestamp: ts, name: want }, { channel }));
  }
}

/** chat.update takes no author name or icon: the post keeps the ones it was made with. */
function withoutVoice(body: ReturnType<typeof itemMessage>) {
  const { username: _u, icon_emoji: _i, ...rest } = body;
  return rest;
}

/**
 * R31 / R24: the thread's content leaves Slack. 'stub' keeps the header as a content-free stub;
 * 'delete' removes it too. The files go first (thread-files.ts), then the messages: the app deletes
 * its own posts; people's messages (agents' replies) and their files need an admin user token
 * (SLACK_USER_TOKEN), without which they stay and a warning is logged.
 * Idempotent: a run stopped by a rate limit is simply run again.
 */
export async function removeSlackThread(
  deps: ThreadFileDeps,
  thread: ThreadRef,
  mode: 'stub' | 'delete',
): Promise<void> {
  const t = slackThread(thread);
  const { channel } = t;
  if (mode === 'stub') {
    await tolerant(deps.api.call('chat.update', { channel, ts: t.ts, ...stubMessage() }, { channel }));
  }
  const me = await deps.api.identity();
  // Listed first, deleted after: deleting while paging could skip messages.
  const replies = (await listOrNothing(deps.api, t)).filter((m) => m.ts !== t.ts);
  const filesLeft = await removeThreadFiles(deps, t, replies, me);
  let left = 0;
  for (const m of replies) {
    if (postedByApp(m, me)) {
      await tolerant(deps.api.call('chat.delete', { channel, ts: m.ts }, { channel }));
    } else if (deps.userToken) {
      await tolerant(deps.api.call('chat.delete', { channel, ts: m.ts, token: deps.userToken }, { channel }));
    } else {
      left++;
    }
  }
  if (left > 0) {
    deps.logger.warn(
      { channel, threadTs: t.ts, left, filesLeft },
      "slack: people's messages and files stay in a removed thread; set SLACK_USER_TOKEN (an admin's user token with chat:write and files:write) so Parley can delete them",
    );
  }
  if (mode === 'delete') await tolerant(deps.api.call('chat.delete', { channel, ts: t.ts }, { channel }));
}

/** A thread whose header is already gone lists as `thread_not_found`: nothing left to remove. */
async function listOrNothing(api: SlackApi, t: { channel: string; ts: string }) {
  try {
    return await threadReplies(api, t);
  } catch (err) {
    if (err instanceof SlackApiError && err.code === 'thread_not_found') return [];
    throw err;
  }
}
