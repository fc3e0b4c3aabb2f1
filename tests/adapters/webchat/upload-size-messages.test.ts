import { describe, expect, it } from 'vitest';
import { WebchatUpload } from '../../../src/db/entities/index.ts';
import { localTestStorage } from '../../support/storage.ts';
import { createTestDb } from '../../support/test-db.ts';
import { webchatHarness } from './harness.ts';

/**
 * Issue 13, item 7: a file over the limit is refused with its name, its size and the limit as
 * people read them ("30 MB", "25 MB"), never a raw byte count, whatever layer refuses it.
 */
const MB = 1024 * 1024;
const db = await createTestDb();
const h = await webchatHarness(db, { storage: localTestStorage(25 * MB) });
const token = (await h.session()).token;

/** A body as a network hands it over: in 64 KB pieces, not one buffer. */
let pulled = 0;
function inPieces(all: Buffer): ReadableStream<Uint8Array> {
  let at = 0;
  pulled = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= all.length) return controller.close();
      controller.enqueue(new Uint8Array(all.subarray(at, at + 64 * 1024)));
      pulled += 64 * 1024;
      at += 64 * 1024;
    },
  });
}

const BOUNDARY = '----parley-size-9c1e';
/** A browser's upload of one file: a multipart body with its Content-Length. */
function upload(name: string, size: number) {
  const body = Buffer.concat([
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/jpeg\r\n\r\n`,
    ),
    Buffer.alloc(size),
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
  return h.app.request('/webchat/api/uploads', {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
      'Content-Length': String(body.byteLength),
    },
    body: inPieces(body),
    duplex: 'half',
  } as RequestInit);
}

async function refusal(res: Response) {
  expect(res.status).toBe(413);
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

describe('R4: the size of a refused upload, as the visitor reads it', () => {
  it('a 30 MB photo is refused naming the file, "30 MB" and "25 MB", and no byte count; nothing is stored', async () => {
    const before = await db.em().count(WebchatUpload, {});
    const error = await refusal(await upload('photo.jpg', 30 * MB));
    expect(error.code).toBe('payload_too_large');
    expect(error.message).toBe('"photo.jpg" is 30 MB; attachments can be at most 25 MB.');
    expect(error.message).not.toMatch(/\d{5,}|bytes/);
    // Refused on the announced size: only the first pieces (the file's part header) were read.
    expect(pulled).toBeLessThan(MB);
    expect(await db.em().count(WebchatUpload, {})).toBe(before);
  });

  it('a 26.2 MB file reads "26.2 MB" against "25 MB", not the same number twice', async () => {
    const error = await refusal(await upload('scan.pdf', Math.round(26.2 * MB)));
    expect(error.message).toBe('"scan.pdf" is 26.2 MB; attachments can be at most 25 MB.');
  });
});
