import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

/** S3 takes parts of at least 5 MiB (the last one excepted); 8 MiB keeps a request count sane. */
export const S3_PART_BYTES = 8 * 1024 * 1024;

/**
 * Streams a body into a bucket holding at most about one part in memory: a body that fits in one
 * part is one PutObject; a larger one is a multipart upload, aborted if the body fails (too large,
 * cut off), so no object appears under the key. (`@aws-sdk/lib-storage` does the same; it is not
 * a dependency of Parley, and this is the small part of it Parley needs.)
 */
export async function putInParts(
  client: S3Client,
  target: { bucket: string; key: string; contentType: string; partBytes: number },
  body: AsyncIterable<Uint8Array>,
): Promise<{ size: number }> {
  const { bucket: Bucket, key: Key, contentType: ContentType } = target;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let size = 0;
  let uploadId: string | undefined;
  const parts: { ETag?: string; PartNumber: number }[] = [];
  const takePending = () => {
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return data;
  };
  const sendPart = async () => {
    if (!uploadId) {
      const created = await client.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType }));
      if (!created.UploadId) throw new Error(`S3 did not start a multipart upload for ${Key}`);
      uploadId = created.UploadId;
    }
    const PartNumber = parts.length + 1;
    const sent = await client.send(
      new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: takePending() }),
    );
    parts.push({ ETag: sent.ETag, PartNumber });
  };

  try {
    for await (const chunk of body) {
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      size += chunk.byteLength;
      if (pendingBytes >= target.partBytes) await sendPart();
    }
    if (!uploadId) {
      await client.send(new PutObjectCommand({ Bucket, Key, Body: takePending(), ContentType }));
      return { size };
    }
    if (pendingBytes > 0) await sendPart();
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return { size };
  } catch (err) {
    // Best effort: a bucket lifecycle rule (AbortIncompleteMultipartUpload) removes what this misses.
    if (uploadId) {
      await client
        .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
        .catch(() => undefined);
    }
    throw err;
  }
}
