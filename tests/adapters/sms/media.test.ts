import { HttpResponse, http } from 'msw';
import { beforeAll, describe, expect, it } from 'vitest';
import { storeInboundMedia } from '../../../src/use-cases/store-inbound-media.ts';
import { seedWorkspace } from '../../support/fixtures.ts';
import { localTestStorage } from '../../support/storage.ts';
import { createTestDb } from '../../support/test-db.ts';
import { incomingSms, randomPhone, smsHarness } from './harness.ts';

const db = await createTestDb();
const storage = localTestStorage(1024);
const h = smsHarness(db, { storage });
beforeAll(async () => {
  await seedWorkspace(db.em());
});

/** An MMS arrives with one picture; the fetch-media job then runs for it. */
async function mmsWith(data: Uint8Array, mimeType: string, declaredSize?: number | null) {
  return mmsFrom(h.twilio.addMedia(data, mimeType, declaredSize), mimeType);
}

/** An MMS whose MediaUrl0 is `url`, signed as Twilio would; the fetch-media job then runs for it. */
async function mmsFrom(url: string, mimeType = 'image/jpeg') {
  const form = incomingSms(randomPhone(), 'photo', {
    NumMedia: '1',
    MediaUrl0: url,
    MediaContentType0: mimeType,
  });
  expect((await h.postSms(form)).status).toBe(200);
  const msg = await h.byProviderId(form.MessageSid!);
  const result = await storeInboundMedia({ em: db.em(), channels: h.channels, storage }, msg.id);
  return { result, message: await h.load(msg.id) };
}

describe('MMS media', () => {
  it("is downloaded with the account's credentials, following Twilio's redirect, and stored", async () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);
    const { result, message } = await mmsWith(jpeg, 'image/jpeg');
    expect(result).toMatchObject({ stored: 1, failed: 0 });
    const a = message.attachments[0]!;
    expect(a).toMatchObject({ status: 'stored', mimeType: 'image/jpeg', size: 8 });
    expect((await storage.get(a.storageKey!))?.data).toEqual(jpeg);
    // The credentials went to Twilio's API only, not to the media host it redirected to.
    expect(h.twilio.mediaHostAuth).toEqual([null]);
  });

  it('media Twilio no longer has is marked failed with a reason', async () => {
    const url = h.twilio
      .addMedia(new Uint8Array([1]), 'image/gif')
      .replace(/ME[0-9a-f]{32}$/, `ME${'0'.repeat(32)}`);
    const form = incomingSms(randomPhone(), '', {
      NumMedia: '1',
      MediaUrl0: url,
      MediaContentType0: 'image/gif',
    });
    await h.postSms(form);
    const msg = await h.byProviderId(form.MessageSid!);
    await storeInboundMedia({ em: db.em(), channels: h.channels, storage }, msg.id);
    expect((await h.load(msg.id)).attachments[0]).toMatchObject({
      status: 'failed',
      failureReason: expect.stringMatching(/no longer has this MMS media/),
    });
  });

  it('a file larger than the storage limit is refused with its size named, and nothing is stored', async () => {
    const { result, message } = await mmsWith(new Uint8Array(2048), 'video/mp4');
    expect(result).toMatchObject({ stored: 0, failed: 1 });
    const a = message.attachments[0]!;
    expect(a.status).toBe('failed');
    expect(a.failureReason).toBe('The MMS attachment is 2 KB; attachments can be at most 1 KB.');
    expect(a.storageKey).toBeUndefined();
  });

  it('a file sent without a Content-Length is cut off once it passes the limit, and refused', async () => {
    const { message } = await mmsWith(new Uint8Array(4096), 'image/png', null);
    expect(message.attachments[0]).toMatchObject({
      status: 'failed',
      failureReason: expect.stringMatching(/at most/),
    });
  });

  it('R4: media is fetched only from Twilio: a MediaUrl elsewhere is refused with a reason, and nothing is requested there', async () => {
    const asked: string[] = [];
    h.server.use(
      http.get('https://collector.example/*', ({ request }) => {
        asked.push(request.url);
        return new HttpResponse(new Uint8Array([1]));
      }),
    );
    const { result, message } = await mmsFrom('https://collector.example/ME1.jpg');
    expect(result).toMatchObject({ stored: 0, failed: 1 });
    expect(message.attachments[0]).toMatchObject({
      status: 'failed',
      failureReason: expect.stringMatching(/only from Twilio.*collector\.example/),
    });
    expect(asked).toEqual([]);
  });

  it("R4: a redirect off Twilio's media CDN is not followed; the credentials never left Twilio's API", async () => {
    const asked: (string | null)[] = [];
    const url = h.twilio.addMedia(new Uint8Array([1, 2]), 'image/png');
    h.server.use(
      http.get(
        url,
        () => new HttpResponse(null, { status: 302, headers: { location: 'http://169.254.169.254/x' } }),
      ),
      http.get('http://169.254.169.254/*', ({ request }) => {
        asked.push(request.headers.get('authorization'));
        return new HttpResponse(new Uint8Array([9]));
      }),
    );
    const { message } = await mmsFrom(url, 'image/png');
    expect(message.attachments[0]).toMatchObject({
      status: 'failed',
      failureReason: expect.stringMatching(/only from Twilio/),
    });
    expect(asked).toEqual([]);
  });
});
