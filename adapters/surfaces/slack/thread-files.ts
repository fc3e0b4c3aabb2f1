import type { Redis } from 'ioredis';
import type { Logger } from '../../../src/logger.ts';
import { type SlackApi, SlackApiError, type SlackIdentity } from './slack-api.ts';
import { postedByApp, type SlackReply, type SlackThread } from './slack-thread.ts';

/** Slack's answers to files.delete that mean the file is gone already. */
const ALREADY_GONE = new Set(['file_not_found', 'file_deleted']);
/** How long the files already deleted from a removed thread are remembered. */
const REMEMBER_S = 30 * 24 * 3600;

export interface ThreadFileDeps {
  api: SlackApi;
  logger: Logger;
  /** An admin's user token (SLACK_USER_TOKEN): may delete files people attached. */
  userToken?: string;
  redis: Redis;
  prefix: string;
}

/**
 * R24 / R31: the files of a thread being removed. Deleting a message does not delete the files it
 * shared — they stay in the workspace's file browser and search — so each one goes with
 * files.delete, before the messages (a message is how a person's file is found):
 * - the files Parley uploaded: the ids recorded in the thread ref (found even when their message
 *   is gone) and those on the app's posts, with the bot token (`files:write` covers files the app
 *   uploaded);
 * - the files people attached to their messages, with the admin user token; without one they stay,
 *   like those messages, and are counted in the returned number.
 * Files deleted are remembered per thread in Redis, so a run cut short by a rate limit goes on
 * where it stopped rather than asking again for every file; losing that memory costs calls only,
 * as Slack answers `file_not_found` / `file_deleted` for a file already gone.
 */
export async function removeThreadFiles(
  deps: ThreadFileDeps,
  t: SlackThread,
  replies: readonly SlackReply[],
  me: SlackIdentity,
): Promise<number> {
  // File id → the token that may delete it (undefined: the bot's).
  const owner = new Map<string, string | undefined>((t.files ?? []).map((id) => [id, undefined]));
  let left = 0;
  for (const m of replies) {
    const byApp = postedByApp(m, me);
    for (const f of m.files ?? []) {
      if (owner.has(f.id)) continue;
      if (byApp) owner.set(f.id, undefined);
      else if (deps.userToken) owner.set(f.id, deps.userToken);
      else left++;
    }
  }
  const key = `${deps.prefix}:slack:removed-files:${t.channel}:${t.ts}`;
  const done = new Set(await deps.redis.smembers(key));
  for (const [file, token] of owner) {
    if (done.has(file)) continue;
    await deleteFile(deps, t.channel, file, token);
    await deps.redis.multi().sadd(key, file).expire(key, REMEMBER_S).exec();
  }
  return left;
}

async function deleteFile(deps: ThreadFileDeps, channel: string, file: string, token?: string) {
  try {
    await deps.api.call('files.delete', { file, ...(token ? { token } : {}) }, { channel });
  } catch (err) {
    if (!(err instanceof SlackApiError)) throw err; // a rate limit or no answer: the run is retried
    if (ALREADY_GONE.has(err.code)) return;
    // cant_delete_file and the like: asking again will not change Slack's answer.
    deps.logger.warn(
      { channel, file, code: err.code },
      'slack: a file in a removed thread could not be deleted; delete it in Slack',
    );
  }
}
