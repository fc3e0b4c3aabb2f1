import type { Processor } from '../src/jobs/worker.ts';
import type { Storage } from '../src/ports/storage.ts';

/** purge-files: a deleted conversation's attachments leave storage too (R24). Deleting twice is harmless. */
export function purgeFilesProcessor(deps: { storage: Storage }): Processor<'purgeFiles'> {
  return async ({ storageKeys }) => {
    for (const key of storageKeys) await deps.storage.delete(key);
    return { deleted: storageKeys.length };
  };
}
