import type { Logger } from '../../../src/logger.ts';
import type { MirrorItem, PostStep } from '../../../src/ports/agent-surface.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { escapeText } from './escape.ts';
import { SlackAmbiguousError, type SlackApi, SlackApiError } from './slack-api.ts';
import { type PendingPost, type SlackThread, settled } from './slack-thread.ts';

/**
 * A customer's stored files, uploaded into the thread after the post that names them, with Slack's
 * current flow: files.getUploadURLExternal → the bytes to `upload_url` → files.completeUploadExternal
 * (the step that shares the file, paced like any post). Each finished upload is recorded in the
 * pending post, and the one being completed is recorded before, so a run that dies half-way goes
 * on where it stopped. The Slack file id joins the thread's `files` in that same step, before the
 * file can be in the thread, so removing the thread (R24, R31) always knows it. A file Slack
 * refuses is skipped with a warning: its name is in the post. Returns the thread with its files.
 */
export interface UploadDeps {
  api: SlackApi;
  storage: Storage;
  logger: Logger;
}

export async function* uploadAttachments(
  deps: UploadDeps,
  t: SlackThread,
  items: MirrorItem[],
  pending: PendingPost & { ts: string },
): AsyncGenerator<PostStep, SlackThread> {
  let thread: SlackThread = { ...t };
  let uploaded = [...(pending.uploaded ?? [])];
  const record = (extra: Partial<PendingPost> = {}): PostStep => ({
    kind: 'attempt',
    thread: { ...settled(thread), pending: { ...pending, uploaded, ...extra } },
  });
  yield record();
  for (const item of items) {
    for (const a of item.attachments) {
      if (a.status !== 'stored' || !a.storageKey || uploaded.includes(a.id)) continue;
      const stored = await deps.storage.get(a.storageKey);
      try {
        if (!stored) throw new SlackApiError('files.getUploadURLExternal', 'file_missing_in_storage');
        const { upload_url, file_id } = await deps.api.call<{ upload_url: string; file_id: string }>(
          'files.getUploadURLExternal',
          { filename: safeFileName(a.name ?? a.kind), length: stored.data.byteLength },
        );
        await deps.api.uploadBytes(upload_url, stored.data, stored.contentType);
        await deps.api.takePostSlot(t.channel);
        thread = { ...thread, files: [...(thread.files ?? []), file_id] };
        yield record({ uploading: { attachmentId: a.id, fileId: file_id } });
        try {
          await deps.api.call(
            'files.completeUploadExternal',
            {
              files: [{ id: file_id, title: escapeText(a.name ?? a.kind) }],
              channel_id: t.channel,
              thread_ts: t.ts,
              initial_comment: `:paperclip: from ${escapeText(item.authorName)}`,
            },
            { channel: t.channel, slotTaken: true },
          );
        } catch (err) {
          // Shared or not is unknown only when Slack did not answer; otherwise it certainly was not.
          if (!(err instanceof SlackAmbiguousError)) yield record();
          throw err;
        }
      } catch (err) {
        if (!(err instanceof SlackApiError)) throw err;
        deps.logger.warn(
          { channel: t.channel, attachmentId: a.id, code: err.code },
          'slack: an attachment could not be uploaded to the thread',
        );
      }
      uploaded = [...uploaded, a.id];
      yield record();
    }
  }
  return thread;
}

/** A file name Slack stores as given: no markup characters, path separators or control characters. */
export function safeFileName(name: string): string {
  const clean = name
    .replace(/[<>&/\\\p{Cc}\u202A-\u202E\u2066-\u2069\u200B-\u200F]/gu, '_')
    .trim()
    .slice(0, 200);
  return clean || 'file';
}
