import { randomBytes } from 'node:crypto';
import { HttpResponse, http } from 'msw';
import { beforeAll, describe, expect, it } from 'vitest';
import { Message } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { newStorageKey } from '../../../src/ports/storage.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { storeInboundMedia } from '../../../src/use-cases/store-inbound-media.ts';
import { conversationWithQueuedReply } from '../../support/conversations.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { localTestStorage } from '../../support/storage.ts';
import { createTestDb } from '../../support/test-db.ts';
import { randomWaId, whatsappHarness } from './harness.ts';
import { contents, inbound, wamid } from './payloads.ts';

const LIMIT = 64 * 1024;
const db = await createTestDb();
const wa = whatsappHarness(db, { storage: localTestStorage(LIMIT) });
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

/** A customer sends a media message; the fetch-media job then runs for it. */
async function receiveAndFetch(
  type: 'image' | 'document',
  content: { id: string } & Record<string, unknown>,
) {
  const id = wamid();
  expect((await wa.post(inbound({ waId: randomWaId() }, type, content, { id }))).status).toBe(200);
  const msg = await wa.byProviderId(id);
  expect(msg.attachments[0]!.status).toBe('pending');
  await storeInboundMedia({ em: db.em(), channels: wa.channels, storage: wa.storage }, msg.id);
  return (await db.em().findOneOrFail(Message, msg.id)).attachments[0]!;
}

describe('fetching a customer media (Graph: media id → URL → download with the token)', () => {
  it('stores the bytes with their mime type and keeps the caption and file name', async () => {
    const bytes = randomBytes(2048);
    wa.graph.addMedia(contents.document.id, bytes, 'application/pdf');
    const a = await receiveAndFetch('document', contents.document);
    expect(a).toMatchObject({
      status: 'stored',
      mimeType: 'application/pdf',
      name: 'invoice-1042.pdf',
      caption: 'My invoice',
      size: 2048,
    });
    const stored = await wa.storage.get(a.storageKey!);
    expect(Buffer.from(stored!.data).equals(bytes)).toBe(true);
    expect(stored!.contentType).toBe('application/pdf');
    expect(wa.graph.downloads).toEqual([contents.document.id]);
  });

  it('a media over the size limit is refused before it is downloaded, with a reason agents see', async () => {
    wa.graph.addMedia(contents.image.id, randomBytes(LIMIT + 1), 'image/jpeg');
    const a = await receiveAndFetch('image', contents.image);
    expect(a.status).toBe('failed');
    expect(a.failureReason).toBe('The image is 64.001 KB; attachments can be at most 64 KB.');
    expect(a.storageKey).toBeUndefined();
    expect(wa.graph.downloads).toEqual([]);
  });

  it('a media larger than Meta declared is cut off at the limit and refused', async () => {
    wa.graph.addMedia(contents.image.id, randomBytes(LIMIT * 2), 'image/jpeg', 1000);
    const a = await receiveAndFetch('image', contents.image);
    expect(a.status).toBe('failed');
    expect(a.failureReason).toMatch(/at most/);
  });

  it("R4: the access token goes only to Meta's media host: a link Graph hands out elsewhere is never fetched", async () => {
    const asked: (string | null)[] = [];
    wa.server.use(
      http.get('https://media.elsewhere.example/*', ({ request }) => {
        asked.push(request.headers.get('authorization'));
        return new HttpResponse(randomBytes(16));
      }),
    );
    wa.graph.addMedia(contents.image.id, randomBytes(16), 'image/jpeg');
    wa.graph.handOutUrl(
      contents.image.id,
      'https://media.elsewhere.example/whatsapp_business/attachments/?mid=1',
    );
    const a = await receiveAndFetch('image', contents.image);
    expect(a).toMatchObject({
      status: 'failed',
      failureReason: expect.stringMatching(/not on Meta's media host.*media\.elsewhere\.example/),
    });
    expect(asked).toEqual([]);
    expect(wa.graph.downloads).toEqual([]);
  });

  it("a media Meta no longer has fails with Meta's reason instead of retrying forever", async () => {
    const a = await receiveAndFetch('image', { ...contents.image, id: '9999999999' });
    expect(a.status).toBe('failed');
    expect(a.failureReason).toMatch(/WhatsApp would not hand over this media.*WhatsApp error 100/);
  });
});

describe('sending a stored attachment', () => {
  it('an attachment missing from storage fails with a reason and nothing is sent', async () => {
    const { conv } = await conversationWithQueuedReply(db.em(), ws);
    const sent = await sendReply({ em: db.em() }, userActor(ws.alice.id), {
      conversationId: conv.id,
      attachments: [
        { id: crypto.randomUUID(), kind: 'document', storageKey: newStorageKey(), name: 'gone.pdf' },
      ],
    });
    expect(await wa.deliver(sent.messageId)).toMatchObject({
      outcome: 'failed',
      reason: expect.stringMatching(/"gone.pdf" is no longer in storage/),
    });
    expect(wa.graph.uploads).toEqual([]);
    expect(wa.graph.received).toEqual([]);
  });
});
