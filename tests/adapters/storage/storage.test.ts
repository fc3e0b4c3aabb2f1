import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { s3Storage } from '../../../adapters/storage/s3.storage.ts';
import { assertSize } from '../../../src/ports/storage.ts';
import { useMsw } from '../../support/msw.ts';
import { localTestStorage } from '../../support/storage.ts';

/** An S3-compatible bucket in memory, answering the three calls Parley makes. */
const bucket = new Map<string, { body: Uint8Array; type: string }>();
useMsw(
  http.put('http://s3.test/attachments/*', async ({ request, params }) => {
    bucket.set(String(params[0]), {
      body: new Uint8Array(await request.arrayBuffer()),
      type: request.headers.get('content-type') ?? '',
    });
    return new HttpResponse(null, { status: 200, headers: { ETag: '"1"' } });
  }),
  http.get('http://s3.test/attachments/*', ({ params }) => {
    const o = bucket.get(String(params[0]));
    if (!o) {
      return new HttpResponse('<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>', {
        status: 404,
        headers: { 'content-type': 'application/xml' },
      });
    }
    return new HttpResponse(o.body, { headers: { 'content-type': o.type } });
  }),
  http.delete('http://s3.test/attachments/*', ({ params }) => {
    bucket.delete(String(params[0]));
    return new HttpResponse(null, { status: 204 });
  }),
);

const bytes = new TextEncoder().encode('hello 👋');

describe('attachment storage', () => {
  it('the local directory keeps bytes and content type, and forgets deleted files', async () => {
    const s = localTestStorage();
    await s.put('2026-11-24/abc', bytes, 'text/plain');
    expect(await s.get('2026-11-24/abc')).toEqual({ data: bytes, contentType: 'text/plain' });
    await s.delete('2026-11-24/abc');
    expect(await s.get('2026-11-24/abc')).toBeNull();
    await expect(s.put('../escape', bytes, 'text/plain')).rejects.toThrow(/outside the storage directory/);
  });

  it('an S3-compatible bucket does the same through the S3 API', async () => {
    const s = s3Storage(
      {
        bucket: 'attachments',
        region: 'us-east-1',
        endpoint: 'http://s3.test',
        forcePathStyle: true,
        accessKeyId: 'k',
        secretAccessKey: 's',
      },
      1024,
    );
    await s.put('2026-11-24/abc', bytes, 'image/png');
    expect(bucket.get('2026-11-24/abc')?.type).toBe('image/png');
    expect(await s.get('2026-11-24/abc')).toEqual({ data: bytes, contentType: 'image/png' });
    await s.delete('2026-11-24/abc');
    expect(await s.get('2026-11-24/abc')).toBeNull();
  });

  it('an attachment over the limit is refused with both sizes in the message', () => {
    const s = localTestStorage(2 * 1024 * 1024);
    expect(() => assertSize(s, 3 * 1024 * 1024, '"scan.pdf"')).toThrow(
      '"scan.pdf" is 3 MB; attachments can be at most 2 MB.',
    );
    expect(() => assertSize(s, 1024)).not.toThrow();
  });
});
