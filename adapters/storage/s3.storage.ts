import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Storage } from '../../src/ports/storage.ts';
import { putInParts, S3_PART_BYTES } from './s3-put-stream.ts';

export interface S3Options {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Part size of streamed uploads (tests use a small one; S3 needs at least 5 MiB). */
  partBytes?: number;
}

/** Attachments in an S3-compatible bucket (AWS S3, MinIO, R2, ...). */
export function s3Storage(opts: S3Options, maxBytes: number): Storage {
  const client = new S3Client({
    region: opts.region,
    endpoint: opts.endpoint,
    forcePathStyle: opts.forcePathStyle,
    credentials:
      opts.accessKeyId && opts.secretAccessKey
        ? { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey }
        : undefined,
  });
  return {
    kind: 's3',
    maxBytes,
    put: async (key, data, contentType) => {
      await client.send(
        new PutObjectCommand({ Bucket: opts.bucket, Key: key, Body: data, ContentType: contentType }),
      );
    },
    putStream: (key, body, contentType) =>
      putInParts(
        client,
        { bucket: opts.bucket, key, contentType, partBytes: opts.partBytes ?? S3_PART_BYTES },
        body,
      ),
    get: async (key) => {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: opts.bucket, Key: key }));
        const data = await res.Body?.transformToByteArray();
        return data ? { data, contentType: res.ContentType ?? 'application/octet-stream' } : null;
      } catch (err) {
        if (err instanceof NoSuchKey) return null;
        throw err;
      }
    },
    delete: async (key) => {
      await client.send(new DeleteObjectCommand({ Bucket: opts.bucket, Key: key }));
    },
  };
}
