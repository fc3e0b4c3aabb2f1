import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { newStorageKey } from '../../../src/ports/storage.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { smsHarness } from './harness.ts';

const db = await createTestDb();
const h = smsHarness(db);
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

/** An agent's file goes by MMS; returns what Parley's media link answers when fetched (as Twilio does). */
async function servedByMediaLink(name: string, mimeType: string, data: Uint8Array) {
  const key = newStorageKey();
  await h.storage.put(key, data, mimeType);
  const attachment = {
    id: randomUUID(),
    kind: 'file',
    name,
    mimeType,
    storageKey: key,
    size: data.byteLength,
    status: 'stored',
  };
  const { messageId } = await h.queuedReply(ws, 'See attached', { attachments: [attachment] });
  expect((await h.deliver(messageId)).outcome).toBe('sent');
  const link = new URL(h.twilio.requests.at(-1)!.getAll('MediaUrl')[0]!);
  const res = await h.app.request(`${link.pathname}${link.search}`);
  expect(res.status).toBe(200);
  return res;
}

describe("the media links MMS replies point at, on Parley's own domain", () => {
  it("R4: an agent's HTML or SVG file is served as a sandboxed download, never as a page of Parley's site", async () => {
    for (const [name, type, body] of [
      ['offer.html', 'text/html', '<script>fetch("/admin")</script>'],
      [
        'logo.svg',
        'image/svg+xml',
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      ],
    ] as const) {
      const res = await servedByMediaLink(name, type, new TextEncoder().encode(body));
      // Twilio takes the MMS media type from Content-Type, so the type stays what the file is.
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment/);
    }
  });

  it('R4: a picture is shown inline, still sandboxed', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1]);
    const res = await servedByMediaLink('map.png', 'image/png', png);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('content-disposition')).toBe('inline');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(png);
  });
});
