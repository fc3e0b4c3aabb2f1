import { cleanWebchat } from '../adapters/channels/webchat/cleanup.ts';
import type { Config } from '../src/config.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { Storage } from '../src/ports/storage.ts';

/** webchat-cleanup: ended sessions and unsent uploads leave PostgreSQL and storage. Safe to run twice. */
export function webchatCleanupProcessor(deps: {
  storage: Storage;
  config: Pick<Config, 'WEBCHAT_SESSION_IDLE_MINUTES' | 'WEBCHAT_UPLOAD_MAX_AGE_MINUTES'>;
  now?: () => Date;
}): Processor<'webchatCleanup'> {
  return ({ batch }, { em }) =>
    cleanWebchat(em, deps.storage, {
      now: deps.now?.() ?? new Date(),
      sessionIdleMs: deps.config.WEBCHAT_SESSION_IDLE_MINUTES * 60_000,
      uploadMaxAgeMs: deps.config.WEBCHAT_UPLOAD_MAX_AGE_MINUTES * 60_000,
      batch,
    });
}
