import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpResponse, http } from 'msw';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { localStorage } from '../../../adapters/storage/local.storage.ts';
import { s3Storage } from '../../../adapters/storage/s3.storage.ts';
import { useMsw } from '../../support/msw.ts';

/**
 * Issue 9, item 6: storage takes a body as a stream (webchat uploads), holding at most about one
 * part of it in memory; a body that fails leaves nothing under its key.
 */
const objects = new Map<string, { body: Uint8Array; type: string }>();
const uploads = new Map<string, { key: string; type: string; parts: Map<number, Uint8Array> }>();
const calls: string[] = [];
const xml = (body: string) => new HttpResponse(body, { headers: { 'content-type': 'application/xml' } });
const keyOf = (params: Record<string, unknown>) => String(params[0]);

useMsw(
  http.post('http://s3.test/attachments/*', async ({ request, params }) => {
    const url = new URL(request.url);
    if (url.searchParams.has('uploads')) {
      const id = `up-${uploads.size + 1}`;
      uploads.set(id, {
        key: keyOf(params),
        type: request.headers.get('content-type') ?? '',
        parts: new Map(),
      });
      calls.push('create');
      return xml(
        `<InitiateMultipartUploadResult><Bucket>attachments</Bucket><Key>${keyOf(params)}</Key><UploadId>${id}</UploadId></InitiateMultipartUploadResult>`,
      );
    }
    const upload = uploads.get(url.searchParams.get('uploadId') ?? '')!;
    const parts = [...upload.parts.entries()].sort(([a], [b]) => a - b).map(([, p]) => p);
    objects.set(upload.key, { body: new Uint8Array(Buffer.concat(parts)), type: upload.type });
    calls.push('complete');
    return xml(
      `<CompleteMultipartUploadResult><Key>${upload.key}</Key><ETag>"all"</ETag></CompleteMultipartUploadResult>`,
    );
  }),
  http.put('http://s3.test/attachments/*', async ({ request, params }) => {
    const url = new URL(request.url);
    const body = new Uint8Array(await request.arrayBuffer());
    const uploadId = url.searchParams.get('uploadId');
    if (uploadId) {
      uploads.get(uploadId)!.parts.set(Number(url.searchParams.get('partNumber')), body);
      calls.push(`part ${url.searchParams.get('partNumber')}`);
    } else {
      objects.set(keyOf(params), { body, type: request.headers.get('content-type') ?? '' });
      calls.push('put');
    }
    return new HttpResponse(null, { status: 200, headers: { ETag: '"1"' } });
  }),
  http.get('http://s3.test/attachments/*', ({ params }) => {
    const o = objects.get(keyOf(params));
    return o
      ? new HttpResponse(o.body, { headers: { 'content-type': o.type } })
      : new HttpResponse(null, { status: 404 });
  }),
  http.delete('http://s3.test/attachments/*', ({ request }) => {
    uploads.delete(new URL(request.url).searchParams.get('uploadId') ?? '');
    calls.push('abort');
    return new HttpResponse(null, { status: 204 });
  }),
);

const bucket = s3Storage(
  {
    bucket: 'attachments',
    region: 'us-east-1',
    endpoint: 'http://s3.test',
    forcePathStyle: true,
    accessKeyId: 'k',
    secretAccessKey: 's',
    partBytes: 1024,
  },
  1024 * 1024,
);
const data = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 256);
async function* pieces(bytes: Uint8Array, size: number, failAfter?: number) {
  for (let at = 0; at < bytes.length; at += size) {
    if (failAfter !== undefined && at >= failAfter) throw new Error('the visitor went away');
    yield bytes.subarray(at, at + size);
  }
}
beforeEach(() => {
  calls.length = 0;
});

describe('streamed attachment storage', () => {
  it('R4: an S3 bucket gets a small body in one PutObject', async () => {
    expect(await bucket.putStream('2026-12-03/small', pieces(data(300), 100), 'text/plain')).toEqual({
      size: 300,
    });
    expect(calls).toEqual(['put']);
    expect(await bucket.get('2026-12-03/small')).toEqual({ data: data(300), contentType: 'text/plain' });
  });

  it('R4: an S3 bucket gets a larger body as a multipart upload, part by part', async () => {
    expect(await bucket.putStream('2026-12-03/large', pieces(data(2500), 300), 'image/png')).toEqual({
      size: 2500,
    });
    expect(calls).toEqual(['create', 'part 1', 'part 2', 'part 3', 'complete']);
    expect(objects.get('2026-12-03/large')).toEqual({ body: data(2500), type: 'image/png' });
  });

  it('R4: a body that fails half-way aborts the multipart upload: no object appears', async () => {
    await expect(
      bucket.putStream('2026-12-03/cut', pieces(data(2500), 300, 1500), 'image/png'),
    ).rejects.toThrow('the visitor went away');
    expect(calls).toEqual(['create', 'part 1', 'abort']);
    expect(objects.has('2026-12-03/cut')).toBe(false);
  });

  it('R4: the local directory keeps a streamed body, and nothing of one that failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-put-stream-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const local = localStorage(dir, 1024 * 1024);
    expect(await local.putStream('2026-12-03/ok', pieces(data(5000), 700), 'application/pdf')).toEqual({
      size: 5000,
    });
    expect(await local.get('2026-12-03/ok')).toEqual({ data: data(5000), contentType: 'application/pdf' });
    await expect(
      local.putStream('2026-12-03/cut', pieces(data(5000), 700, 2100), 'application/pdf'),
    ).rejects.toThrow('the visitor went away');
    expect(await local.get('2026-12-03/cut')).toBeNull();
    expect(readdirSync(join(dir, '2026-12-03')).sort()).toEqual(['ok', 'ok.type']);
  });
});
