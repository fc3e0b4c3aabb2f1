import { randomUUID } from 'node:crypto';
import { wrap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Conversation, SurfacePost, SurfaceThread } from '../../src/db/entities/index.ts';
import { deliverMessage } from '../../src/use-cases/deliver-message.ts';
import { mirrorConversation } from '../../src/use-cases/mirror-conversation.ts';
import { conversationToMirror } from '../../src/use-cases/mirror-reads.ts';
import { storeInboundMedia } from '../../src/use-cases/store-inbound-media.ts';
import { appendMessage } from '../../src/use-cases/timeline.ts';
import { conversationWithQueuedReply } from '../support/conversations.ts';
import { PermanentSendError, recordingChannel } from '../support/fake-channel.ts';
import { recordingSurface } from '../support/fake-surface.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { localTestStorage } from '../support/storage.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const storage = localTestStorage();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  const em = db.em();
  for (const u of [ws.alice, ws.bob]) em.merge(u).slackUserId = `U_${u.name.toUpperCase()}`;
  await em.flush();
});

const update = async (id: string, change: (c: Conversation, tx: EntityManager) => Promise<void> | void) =>
  db.em().transactional(async (tx) => {
    const c = await tx.findOneOrFail(Conversation, id);
    await change(c, tx as EntityManager);
  });

afterEach(() => {
  vi.useRealTimers();
});

/** A sync that holds the conversation's lock and waits on the platform (its posts held). */
async function syncWaitingOnPlatform(conversationId: string) {
  const fake = recordingSurface();
  const surfaces = new Map([['slack', fake.surface]]);
  const release = fake.holdPosts();
  const running = mirrorConversation({ em: db.em(), surfaces }, conversationId);
  await expect.poll(() => fake.threads.length, { timeout: 5_000 }).toBe(1);
  return { fake, surfaces, release, running };
}

/** One statement on a session of its own, as another worker process would run it. */
async function inOtherSession(sql: string, params: unknown[]) {
  const other = new pg.Client({ connectionString: db.url });
  await other.connect();
  try {
    return (await other.query(sql, params)).rows;
  } finally {
    await other.end();
  }
}

describe('mirroring a conversation into a chat surface', () => {
  it('R28: a surface that must wait (Slack pacing a channel) does not hold up another (Teams): each goes as far as it can, the run comes back after the shorter wait', async () => {
    const slack = recordingSurface('slack');
    const teams = recordingSurface('teams');
    const { conv } = await conversationWithQueuedReply(db.em(), ws, 'Both surfaces');
    slack.rateLimitNextPost(1_200);
    const surfaces = new Map([
      ['slack', slack.surface],
      ['teams', teams.surface],
    ]);
    expect(await mirrorConversation({ em: db.em(), surfaces }, conv.id)).toEqual({
      outcome: 'retry',
      retryAfterMs: 1_200,
    });
    const texts = (s: typeof slack) => s.threads.flatMap((t) => t.items.map((i) => i.text));
    expect(texts(teams)).toContain('Both surfaces');
    expect(texts(slack)).not.toContain('Both surfaces');
    // The run that comes back finishes Slack's part and posts nothing twice in Teams.
    expect(await mirrorConversation({ em: db.em(), surfaces }, conv.id)).toEqual({ outcome: 'done' });
    expect(texts(slack).filter((t) => t === 'Both surfaces')).toHaveLength(1);
    expect(texts(teams).filter((t) => t === 'Both surfaces')).toHaveLength(1);
  });

  it('R28: opens one thread in the group channel and posts every item in order, with the header current', async () => {
    const fake = recordingSurface();
    const { conv } = await conversationWithQueuedReply(db.em(), ws, 'Shipped today');
    await update(conv.id, (c, tx) =>
      appendMessage(tx, c, { kind: 'note', text: 'VIP customer', author: ws.bob, now: new Date() }).then(
        () => {},
      ),
    );
    const surfaces = new Map([['slack', fake.surface]]);
    expect(await mirrorConversation({ em: db.em(), surfaces }, conv.id)).toEqual({ outcome: 'done' });
    expect(fake.threads).toHaveLength(1);
    const [t] = fake.threads;
    expect(t!.place).toMatchObject({ kind: 'channel', channelId: 'C_SUPPORT' });
    expect(t!.items.map((i) => [i.seq, i.kind, i.text])).toEqual([
      [1, 'inbound', 'Where is my order?'],
      [2, 'reply', 'Shipped today'],
      [3, 'note', 'VIP customer'],
    ]);
    expect(t!.items[1]!.authorName).toBe('Alice');
    expect(t!.header).toMatchObject({ number: conv.number, status: 'open', unrepliedCount: 0 });

    // A second run posts nothing again; a new message is appended after the others.
    await mirrorConversation({ em: db.em(), surfaces }, conv.id);
    await update(conv.id, (c, tx) =>
      appendMessage(tx, c, { kind: 'inbound', text: 'Thanks!', channel: 'whatsapp', now: new Date() }).then(
        () => {},
      ),
    );
    // The new message is posted at once; a header whose only change is its count is redrawn a
    // few seconds after the last redraw (Slack limits chat.update per workspace), not never.
    const paced = await mirrorConversation({ em: db.em(), surfaces }, conv.id);
    expect(paced).toMatchObject({ outcome: 'retry' });
    expect(fake.threads).toHaveLength(1);
    expect(t!.items.map((i) => i.seq)).toEqual([1, 2, 3, 4]);
    // The pause over, the next run redraws the header.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + (paced as { retryAfterMs: number }).retryAfterMs);
    expect(await mirrorConversation({ em: db.em(), surfaces }, conv.id)).toEqual({ outcome: 'done' });
    expect(t!.header.unrepliedCount).toBe(1);
  });

  it('R31: a restricted conversation leaves a content-free stub in the channel and moves to the listed users; lifting restores it', async () => {
    const fake = recordingSurface();
    const surfaces = new Map([['slack', fake.surface]]);
    const { conv } = await conversationWithQueuedReply(db.em(), ws, 'secret-canary-7731');
    await mirrorConversation({ em: db.em(), surfaces }, conv.id);
    await update(conv.id, (c) => {
      c.visibleToIds = [ws.alice.id];
    });
    await mirrorConversation({ em: db.em(), surfaces }, conv.id);
    const channelThread = fake.threads.find((t) => t.place.kind === 'channel')!;
    expect(channelThread.state).toBe('stub');
    expect(channelThread.items).toEqual([]);
    const dms = fake.threads.filter((t) => t.place.kind === 'direct' && t.state === 'active');
    expect(dms.map((t) => t.place.kind === 'direct' && t.place.user.platformUserId)).toEqual(['U_ALICE']);
    expect(dms[0]!.items.map((i) => i.text)).toContain('secret-canary-7731');

    await update(conv.id, (c) => {
      c.visibleToIds = null;
    });
    await mirrorConversation({ em: db.em(), surfaces }, conv.id);
    const active = fake.threads.filter((t) => t.state === 'active');
    expect(active).toHaveLength(1);
    expect(active[0]!.place.kind).toBe('channel');
    expect(active[0]!.items.map((i) => i.text)).toContain('secret-canary-7731');
  });

  it('R24: a deleted conversation is removed from every thread it was mirrored to', async () => {
    const fake = recordingSurface();
    const surfaces = new Map([['slack', fake.surface]]);
    const { conv } = await conversationWithQueuedReply(db.em(), ws, 'to-be-deleted');
    await mirrorConversation({ em: db.em(), surfaces }, conv.id);
    await update(conv.id, (c) => {
      c.status = 'deleted';
    });
    await mirrorConversation({ em: db.em(), surfaces }, conv.id);
    expect(fake.threads.every((t) => t.state === 'deleted')).toBe(true);
    expect(fake.visibleText()).not.toContain('to-be-deleted');
    const rows = await db.em().find(SurfaceThread, { conversation: conv.id });
    expect(rows.map((r) => r.state)).toEqual(['removed']);
  });

  it('a rate-limited post stops the sync with the wait asked for, and the next run resumes without a duplicate', async () => {
    const fake = recordingSurface();
    const surfaces = new Map([['slack', fake.surface]]);
    const { conv } = await conversationWithQueuedReply(db.em(), ws);
    fake.rateLimitNextPost(1500);
    expect(await mirrorConversation({ em: db.em(), surfaces }, conv.id)).toEqual({
      outcome: 'retry',
      retryAfterMs: 1500,
    });
    await mirrorConversation({ em: db.em(), surfaces }, conv.id);
    expect(fake.threads[0]!.items.map((i) => i.seq)).toEqual([1, 2]);
  });

  it('two syncs of one conversation at once: the second steps aside, nothing is posted twice', async () => {
    const { conv } = await conversationWithQueuedReply(db.em(), ws);
    const { fake, surfaces, release, running: first } = await syncWaitingOnPlatform(conv.id);
    expect(await mirrorConversation({ em: db.em(), surfaces }, conv.id)).toEqual({ outcome: 'busy' });
    release();
    expect(await first).toEqual({ outcome: 'done' });
    expect(fake.threads[0]!.items.map((i) => i.seq)).toEqual([1, 2]);
  });

  it('a sync that fails (the platform errors) gives its lock back: another process mirrors the conversation next', async () => {
    const fake = recordingSurface();
    const failing = {
      ...fake.surface,
      // biome-ignore lint/correctness/useYield: a platform that fails before posting anything
      postItems: async function* () {
        throw new Error('slack is down');
      },
    };
    const { conv } = await conversationWithQueuedReply(db.em(), ws);
    await expect(
      mirrorConversation({ em: db.em(), surfaces: new Map([['slack', failing]]) }, conv.id),
    ).rejects.toThrow('slack is down');
    // Another session (another worker process) can take the lock: it was not left on a pooled connection.
    const taken = await inOtherSession('select pg_try_advisory_lock(hashtext($1)) as ok', [
      `parley.mirror.${conv.id}`,
    ]);
    expect(taken[0].ok).toBe(true);
    const surfaces = new Map([['slack', fake.surface]]);
    expect(await mirrorConversation({ em: db.em(), surfaces }, conv.id)).toEqual({ outcome: 'done' });
    expect(fake.threads[0]!.items.map((i) => i.seq)).toEqual([1, 2]);
  });

  it('reads a conversation with its group and contact as the ORM loads them (one statement instead of its query builder)', async () => {
    const { conv } = await conversationWithQueuedReply(db.em(), ws, 'Compare');
    await update(conv.id, (c) => {
      c.visibleToIds = [ws.alice.id];
      c.assigneeIds = [ws.bob.id];
      c.contact.tags = ['vip'];
    });
    const byOrm = await db.em().findOneOrFail(Conversation, conv.id, { populate: ['group', 'contact'] });
    const em = db.em();
    const read = await conversationToMirror(em, conv.id);
    const plain = (e: object) => JSON.parse(JSON.stringify(wrap(e).toObject()));
    expect(plain(read.group)).toEqual(plain(byOrm.group));
    expect(plain(read.contact)).toEqual(plain(byOrm.contact));
    expect(plain(read)).toEqual({ ...plain(byOrm), group: byOrm.group.id, contact: byOrm.contact.id });
    expect(
      [read.createdAt, read.group.createdAt, read.contact.createdAt].map((d) => d instanceof Date),
    ).toEqual([true, true, true]);
    expect(read.contact.tags).toEqual(['vip']);
    // Managed as loaded: nothing to write back.
    em.getUnitOfWork().computeChangeSets();
    expect(em.getUnitOfWork().getChangeSets()).toEqual([]);
  });

  it("PostgreSQL ending the lock's session mid-run (a restart) fails nothing but that run: the process lives on and the next run posts each item once", async () => {
    const { conv } = await conversationWithQueuedReply(db.em(), ws);
    const { fake, surfaces, release, running } = await syncWaitingOnPlatform(conv.id);
    // The session holding the lock is idle (the run waits for the platform) when it is ended.
    const ended = await inOtherSession(
      `select pg_terminate_backend(l.pid) as ended from pg_locks l
       where l.locktype = 'advisory' and l.objid::int = hashtext($1)`,
      [`parley.mirror.${conv.id}`],
    );
    expect(ended.map((r) => r.ended)).toEqual([true]);
    release();
    await running.catch(() => {});
    expect(await mirrorConversation({ em: db.em(), surfaces }, conv.id)).toEqual({ outcome: 'done' });
    expect(fake.threads[0]!.items.map((i) => i.seq)).toEqual([1, 2]);
  });

  it('R29: a reply whose delivery state changes is redrawn where it was posted, once', async () => {
    const fake = recordingSurface();
    const surfaces = new Map([['slack', fake.surface]]);
    const { conv, reply } = await conversationWithQueuedReply(db.em(), ws, 'On its way');
    const messageId = reply.id;
    await mirrorConversation({ em: db.em(), surfaces }, conv.id);
    const thread = fake.threads.find((t) => t.header.conversationId === conv.id)!;
    expect(thread.items.find((i) => i.messageId === messageId)?.deliveryState).toBe('queued');
    const queued = await db.em().findOneOrFail(SurfacePost, { message: messageId });
    expect(queued.shownState).toBe('queued');

    // The provider refuses it for good.
    const wa = recordingChannel('whatsapp');
    wa.onNextSend(async () => {
      throw new PermanentSendError('Window closed');
    });
    const channels = new Map([['whatsapp', wa.channel]]);
    expect(await deliverMessage({ em: db.em(), channels }, messageId)).toMatchObject({ outcome: 'failed' });
    await mirrorConversation({ em: db.em(), surfaces }, conv.id);
    const shown = thread.items.filter((i) => i.messageId === messageId);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ deliveryState: 'failed', deliveryReason: 'Window closed' });
    const posts = await db.em().find(SurfacePost, { message: messageId });
    expect(posts.map((p) => p.shownState)).toEqual(['failed']);
  });

  it('R28: a customer file still being fetched holds the thread back, so it is posted with its file and in order', async () => {
    const fake = recordingSurface();
    const surfaces = new Map([['slack', fake.surface]]);
    const { conv } = await conversationWithQueuedReply(db.em(), ws, 'Send a photo?');
    // Headers redrawn at once: a run comes back later only for the file.
    const mirror = () => mirrorConversation({ em: db.em(), surfaces, countRedrawMs: 0 }, conv.id);
    expect(await mirror()).toEqual({ outcome: 'done' });
    const pending = {
      id: randomUUID(),
      kind: 'image' as const,
      name: 'box.jpg',
      status: 'pending' as const,
      providerRef: 'm1',
    };
    let photoId = '';
    await update(conv.id, async (c, tx) => {
      const m = await appendMessage(tx, c, {
        kind: 'inbound',
        attachments: [pending],
        channel: 'whatsapp',
        endpoint: ws.whatsapp,
        now: new Date(),
      });
      await appendMessage(tx, c, {
        kind: 'inbound',
        text: 'here it is',
        channel: 'whatsapp',
        now: new Date(),
      });
      photoId = m.id;
    });
    expect(await mirror()).toEqual({ outcome: 'retry', retryAfterMs: 2_000 });
    const thread = fake.threads.find((t) => t.header.conversationId === conv.id)!;
    expect(thread.items.map((i) => i.text)).toEqual(['Where is my order?', 'Send a photo?']);

    // The fetch-media step gets the photo from WhatsApp and stores it.
    const photos = {
      ...recordingChannel('whatsapp').channel,
      fetchMedia: async () => ({
        data: new TextEncoder().encode('a photo of a box'),
        mimeType: 'image/jpeg',
      }),
    };
    const fetched = await storeInboundMedia(
      { em: db.em(), channels: new Map([['whatsapp', photos]]), storage },
      photoId,
    );
    expect([fetched.stored, fetched.failed]).toEqual([1, 0]);
    expect(await mirror()).toEqual({ outcome: 'done' });
    expect(thread.items.map((i) => i.text ?? i.attachments[0]?.status)).toEqual([
      'Where is my order?',
      'Send a photo?',
      'stored',
      'here it is',
    ]);
  });
});
