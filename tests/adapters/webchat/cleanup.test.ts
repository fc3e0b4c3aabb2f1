import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localStorage } from '../../../adapters/storage/local.storage.ts';
import { WebchatSession, WebchatUpload } from '../../../src/db/entities/index.ts';
import { syncCleanupSchedule } from '../../../src/jobs/cleanup-schedule.ts';
import { webchatCleanupProcessor } from '../../../workers/webchat-cleanup.worker.ts';
import { flushPrefix } from '../../support/redis.ts';
import { createTestDb } from '../../support/test-db.ts';
import { webchatHarness } from './harness.ts';

/**
 * Issue 9, item 6: the `webchatCleanup` job deletes uploads never sent in a message once they are
 * older than WEBCHAT_UPLOAD_MAX_AGE_MINUTES, and sessions that ended (idle) with the files of their
 * unsent uploads. A file a message carries stays: it is the message's.
 */
const dir = mkdtempSync(join(tmpdir(), 'parley-cleanup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = await createTestDb();
const h = await webchatHarness(db, { storage: localStorage(dir, 1024 * 1024) });
const DAY = 24 * 3_600_000;
const cleanup = webchatCleanupProcessor({ storage: h.storage, config: h.config });
const run = (batch = 500) => cleanup({ batch }, { em: db.em(), job: {} as never });

async function upload(token: string, name: string) {
  const form = new FormData();
  form.append('file', new File([`contents of ${name}`], name, { type: 'text/plain' }));
  const res = await h.app.request('/webchat/api/uploads', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  });
  expect(res.status).toBe(201);
  const id = ((await res.json()) as { id: string }).id;
  return { id, key: (await db.em().findOneOrFail(WebchatUpload, id)).storageKey };
}
const age = (uploadId: string, ms: number) =>
  db.em().nativeUpdate(WebchatUpload, { id: uploadId }, { createdAt: new Date(Date.now() - ms) });
const stored = async (key: string) => (await h.storage.get(key)) !== null;
const uploadRow = (id: string) => db.em().findOne(WebchatUpload, id);

describe('webchat cleanup job (issue 9, item 6)', () => {
  it('R4: removes unsent uploads past their age and ended sessions with their files; the files messages carry stay', async () => {
    const ended = await h.session();
    const endedSent = await upload(ended.token, 'sent-by-ended.txt');
    await h.write(ended.token, 'with a file', { attachmentIds: [endedSent.id] });
    const endedUnsent = await upload(ended.token, 'unsent-by-ended.txt');
    await db
      .em()
      .nativeUpdate(WebchatSession, { id: ended.sessionId }, { lastSeenAt: new Date(Date.now() - 2 * DAY) });

    const active = await h.session();
    const oldUnsent = await upload(active.token, 'old-unsent.txt');
    const freshUnsent = await upload(active.token, 'fresh-unsent.txt');
    const oldSent = await upload(active.token, 'old-sent.txt');
    await h.write(active.token, 'sent long ago', { attachmentIds: [oldSent.id] });
    await age(oldUnsent.id, 2 * DAY);
    await age(oldSent.id, 2 * DAY);

    expect(await run()).toEqual({ uploads: 2, sessions: 1 });

    expect(await db.em().findOne(WebchatSession, ended.sessionId)).toBeNull();
    expect(await stored(endedUnsent.key)).toBe(false);
    expect(await stored(endedSent.key)).toBe(true);
    expect(await uploadRow(oldUnsent.id)).toBeNull();
    expect(await stored(oldUnsent.key)).toBe(false);
    for (const kept of [freshUnsent, oldSent]) {
      expect(await uploadRow(kept.id)).not.toBeNull();
      expect(await stored(kept.key)).toBe(true);
    }
    // The visitor who kept chatting still has their session, and sees the sent file.
    const file = await h.call('GET', `/webchat/api/files/${oldSent.id}`, active.token);
    expect(file.status).toBe(200);
    // A second run finds nothing left to do.
    expect(await run()).toEqual({ uploads: 0, sessions: 0 });
  });

  it('R4: an upload past its age can no longer be attached, so the cleanup never races a message', async () => {
    const s = await h.session();
    const up = await upload(s.token, 'late.txt');
    await age(up.id, DAY + 60_000);
    const late = await h.write(s.token, 'now with the file', { attachmentIds: [up.id] });
    expect(late.status).toBe(422);
    expect(late.body.error?.message).toMatch(/uploaded too long ago\); upload the file again/);
  });

  it('works through a backlog larger than one batch', async () => {
    const sessions = [await h.session(), await h.session(), await h.session()];
    for (const s of sessions) {
      await upload(s.token, 'left-behind.txt');
      await db
        .em()
        .nativeUpdate(WebchatSession, { id: s.sessionId }, { lastSeenAt: new Date(Date.now() - 3 * DAY) });
    }
    expect(await run(1)).toEqual({ sessions: 3, uploads: 3 });
  });

  it('is scheduled once for the deployment, follows the interval, and is repaired when Redis lost it', async () => {
    const queue = h.redis.queues.byName.get('webchat-cleanup')!;
    expect((await syncCleanupSchedule(h.redis.queues, 900_000)).changed).toBe(true);
    expect((await syncCleanupSchedule(h.redis.queues, 900_000)).changed).toBe(false);
    expect(await queue.getJobScheduler('webchat-cleanup')).toMatchObject({
      every: 900_000,
      name: 'webchatCleanup',
    });
    expect((await syncCleanupSchedule(h.redis.queues, 60_000)).changed).toBe(true);
    await flushPrefix(h.redis.producer, h.redis.prefix);
    expect((await syncCleanupSchedule(h.redis.queues, 60_000)).changed).toBe(true);
    expect(await queue.getJobSchedulers(0, -1)).toHaveLength(1);
  });
});
