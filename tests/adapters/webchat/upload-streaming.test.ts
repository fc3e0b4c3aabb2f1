import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { localStorage } from '../../../adapters/storage/local.storage.ts';
import { countRows } from '../../support/bad-input-corpus.ts';
import { createTestDb } from '../../support/test-db.ts';
import { webchatHarness } from './harness.ts';

/**
 * Issue 9, item 6: an upload is streamed to storage and its size counted as it arrives, so a
 * body over the limit is cut off with 413 (even without a Content-Length), and a body that ends
 * early is refused; in both cases nothing is stored, neither a file nor a row.
 */
const LIMIT = 64 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'parley-upload-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = await createTestDb();
const h = await webchatHarness(db, { storage: localStorage(dir, LIMIT) });
const token = (await h.session()).token;

const BOUNDARY = '----parley-test-7f3a';
const head = (name = 'scan.bin') =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
const TAIL = `\r\n--${BOUNDARY}--\r\n`;
const bytes = (n: number, seed = 7) => Uint8Array.from({ length: n }, (_, i) => (i * seed) % 251);

/** A request body sent in `chunk`-byte pieces, with no Content-Length; `fail` errors it at the end. */
function chunked(parts: (string | Uint8Array)[], chunk: number, fail = false): ReadableStream<Uint8Array> {
  const all = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= all.length) {
        if (fail) controller.error(new Error('connection reset'));
        else controller.close();
        return;
      }
      controller.enqueue(new Uint8Array(all.subarray(at, at + chunk)));
      at += chunk;
    },
  });
}
const send = (body: ReadableStream<Uint8Array>) =>
  h.app.request('/webchat/api/uploads', {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`,
    },
    body,
    duplex: 'half',
  } as RequestInit);
const storedFiles = () =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());

/** Sends the body; the refusal must leave the storage directory and every table as they were. */
async function expectNothingStored(body: ReadableStream<Uint8Array>, status: number, message: RegExp) {
  const [rows, files] = [await countRows(db.em()), storedFiles().length];
  const res = await send(body);
  expect(res.status).toBe(status);
  expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
  expect(storedFiles()).toHaveLength(files);
  expect(await countRows(db.em())).toEqual(rows);
}

describe('webchat uploads are streamed (issue 9, item 6)', () => {
  it('R4: a file over the limit, sent without a Content-Length, is cut off with 413; nothing is stored', async () => {
    await expectNothingStored(
      chunked([head(), bytes(LIMIT * 3), TAIL], 8 * 1024),
      413,
      /^"scan\.bin" is too large; attachments can be at most/,
    );
  });

  it('R4: a body that ends in the middle of the file is refused; nothing is stored', async () => {
    await expectNothingStored(chunked([head(), bytes(20_000)], 4096), 400, /cut off before it was complete/);
  });

  it('R4: a body whose connection drops is refused; nothing is stored', async () => {
    await expectNothingStored(
      chunked([head(), bytes(20_000)], 4096, true),
      400,
      /cut off before it was complete/,
    );
  });

  it('R4: a complete file with its closing boundary missing is refused and removed again', async () => {
    await expectNothingStored(
      chunked([head(), bytes(20_000), `\r\n--${BOUNDARY}`], 4096),
      400,
      /cut off before it was complete/,
    );
  });

  it('R4: a file in pieces that split the boundary is stored byte for byte, with other fields skipped', async () => {
    const data = bytes(50_000, 13);
    const field = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n`;
    // 7-byte pieces: the delimiter after the file arrives split over several chunks.
    const res = await send(chunked([field, head('photo.raw'), data, TAIL], 7));
    expect(res.status, await res.clone().text()).toBe(201);
    const up = (await res.json()) as { id: string; size: number; name: string };
    expect(up).toMatchObject({ size: data.length, name: 'photo.raw' });
    const sent = await h.write(token, 'the file', { attachmentIds: [up.id] });
    const stored = await h.storage.get(
      (await h.message(sent.body.messageId)).attachments[0]?.storageKey ?? '',
    );
    expect(stored?.data).toEqual(data);
  });
});
