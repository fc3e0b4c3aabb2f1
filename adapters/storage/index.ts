import type { Config } from '../../src/config.ts';
import type { Storage } from '../../src/ports/storage.ts';
import { localStorage } from './local.storage.ts';
import { s3Storage } from './s3.storage.ts';

/** S3-compatible storage when S3_BUCKET is set, else the local directory STORAGE_DIR. */
export function createStorage(config: Config): Storage {
  if (config.S3_BUCKET) {
    return s3Storage(
      {
        bucket: config.S3_BUCKET,
        region: config.S3_REGION,
        endpoint: config.S3_ENDPOINT,
        forcePathStyle: config.S3_FORCE_PATH_STYLE,
        accessKeyId: config.S3_ACCESS_KEY_ID,
        secretAccessKey: config.S3_SECRET_ACCESS_KEY,
      },
      config.ATTACHMENT_MAX_BYTES,
    );
  }
  return localStorage(config.STORAGE_DIR, config.ATTACHMENT_MAX_BYTES);
}
