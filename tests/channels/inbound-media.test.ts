import { beforeAll, describe, expect, it } from 'vitest';
import { Message } from '../../src/db/entities/index.ts';
import { AppError } from '../../src/domain/errors.ts';
import { reconcile } from '../../src/jobs/reconciler.ts';
import type { CustomerChannel } from '../../src/ports/customer-channel.ts';
import { receiveInbound } from '../../src/use-cases/receive-inbound.ts';
import { storeInboundMedia } from '../../src/use-cases/store-inbound-media.ts';
import { recordingChannel } from '../support/fake-channel.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestRedis } from '../support/redis.ts';
import { localTestStorage } from '../support/storage.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const redis = createTestRedis();
const storage = localTestStorage(1024);
let _ws: Workspace;
beforeAll(async () => {
  _ws = await seedWorkspace(db.em());
});

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
function mediaChannel(answer: (ref: string) => Uint8Array | Error): CustomerChannel {
  const base = recordingChannel('whatsapp').channel;
  return {
    ...base,
    fetchMedia: async (a) => {
      const r = answer(a.providerRef ?? '');
      if (r instanceof Error) throw r;
      return { data: r, mimeType: 'image/png' };
    },
  };
}

async function inboundWithMedia(refs: string[]) {
  const r = await receiveInbound(
    { em: db.em() },
    { kind: 'provider', channel: 'whatsapp' },
    {
      channel: 'whatsapp',
      endpointAddress: 'PNID_SUPPORT',
      from: { address: '+15550009999', identified: true },
      provider: 'whatsapp',
      providerMessageId: `wamid.${crypto.randomUUID()}`,
      attachments: refs.map((ref, i) => ({
        id: `a${i}`,
        kind: 'image',
        providerRef: ref,
        status: 'pending',
      })),
    },
  );
  return r;
}

describe('inbound media', () => {
  it('R4: an image the provider holds is fetched into storage after the webhook, and the message says so', async () => {
    const r = await inboundWithMedia(['media-1']);
    expect(r.events.find((e) => e.type === 'message.created')).toMatchObject({ pendingMedia: true });
    const out = await storeInboundMedia(
      { em: db.em(), channels: new Map([['whatsapp', mediaChannel(() => png)]]), storage },
      r.messageId,
    );
    expect(out).toMatchObject({ stored: 1, failed: 0 });
    const [a] = (await db.em().findOneOrFail(Message, r.messageId)).attachments;
    expect(a).toMatchObject({ status: 'stored', mimeType: 'image/png', size: png.byteLength });
    expect((await storage.get(a!.storageKey!))?.data).toEqual(png);
  });

  it('an attachment over the size limit is refused with a reason agents see; the others are kept', async () => {
    const r = await inboundWithMedia(['small', 'huge']);
    const channel = mediaChannel((ref) => (ref === 'huge' ? new Uint8Array(4096) : png));
    await storeInboundMedia(
      { em: db.em(), channels: new Map([['whatsapp', channel]]), storage },
      r.messageId,
    );
    const [small, huge] = (await db.em().findOneOrFail(Message, r.messageId)).attachments;
    expect(small!.status).toBe('stored');
    expect(huge).toMatchObject({ status: 'failed' });
    expect(huge!.failureReason).toMatch(/attachments can be at most/);
  });

  it('a provider refusal marks it failed; a transient error is thrown so the job retries', async () => {
    const gone = await inboundWithMedia(['expired']);
    const refuse = mediaChannel(
      () => new AppError('not_found', 'WhatsApp no longer has this media (it expires after 30 days).'),
    );
    await storeInboundMedia(
      { em: db.em(), channels: new Map([['whatsapp', refuse]]), storage },
      gone.messageId,
    );
    expect((await db.em().findOneOrFail(Message, gone.messageId)).attachments[0]).toMatchObject({
      status: 'failed',
    });

    const flaky = await inboundWithMedia(['flaky']);
    const boom = mediaChannel(() => new Error('socket hang up'));
    await expect(
      storeInboundMedia({ em: db.em(), channels: new Map([['whatsapp', boom]]), storage }, flaky.messageId),
    ).rejects.toThrow('socket hang up');
    expect((await db.em().findOneOrFail(Message, flaky.messageId)).attachments[0]).toMatchObject({
      status: 'pending',
    });
  });

  it('the reconciler finds attachments still pending when their job was lost', async () => {
    const r = await inboundWithMedia(['lost-job']);
    const report = await reconcile({
      em: db.em(),
      queues: redis.queues,
      channels: new Map(),
      surfaces: false,
      dispatch: async () => {},
    });
    expect(report.media).toBeGreaterThanOrEqual(1);
    const job = await redis.queues.byName.get('fetch-media')!.getJob(`media_${r.messageId}`);
    expect(job?.data).toEqual({ messageId: r.messageId });
  });
});
