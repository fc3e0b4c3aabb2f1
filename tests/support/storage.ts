import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { localStorage } from '../../adapters/storage/local.storage.ts';

/** A local-directory storage in a temporary folder, removed after the file's tests. */
export function localTestStorage(maxBytes = 5 * 1024 * 1024) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-storage-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return localStorage(dir, maxBytes);
}
