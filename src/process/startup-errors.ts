import { Redis } from 'ioredis';

/**
 * Parley cannot start because of something in its environment that the user fixes (a busy port,
 * an unreachable database): printed as one line naming the variable, exit code 2 like a
 * configuration error. Never a stack trace.
 */
export class StartupError extends Error {}

type SystemError = Error & { code?: string; errors?: SystemError[] };

/** The system error's code; Node's connect to `localhost` tries ::1 and 127.0.0.1 and fails with both. */
const codeOf = (err: unknown): string | undefined => {
  const e = err as SystemError;
  return e?.code ?? e?.errors?.[0]?.code;
};

/** host:port of a URL, never its password. */
function where(url: string, defaultPort: number): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || defaultPort}`;
}

/** What a failed connection means, or null when it is not a network failure. */
function networkProblem(err: unknown, at: string, service: string): string | null {
  const code = codeOf(err);
  if (code === 'ECONNREFUSED') return `nothing answers at ${at} (connection refused)`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `the host of ${at} is not known (DNS lookup failed)`;
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return `no answer from ${at} (${code})`;
  if (code === 'ECONNRESET')
    return `${at} closed the connection (is ${service} there, with or without TLS as the URL says?)`;
  return null;
}

/**
 * A failure to reach or log in to PostgreSQL as a StartupError naming DATABASE_URL; any other
 * error as it is.
 */
export function databaseError(err: unknown, databaseUrl: string): unknown {
  const at = where(databaseUrl, 5432);
  const network = networkProblem(err, at, 'PostgreSQL');
  if (network)
    return new StartupError(
      `DATABASE_URL: ${network}; start PostgreSQL there, or set DATABASE_URL to where it runs`,
    );
  const pgCode = (err as { code?: string })?.code ?? '';
  // 28xxx: the login was refused (password, unknown role, pg_hba.conf); 42501: no right to create the database.
  if (pgCode.startsWith('28') || pgCode === '42501')
    return new StartupError(
      `DATABASE_URL: PostgreSQL at ${at} refused: ${(err as Error).message}; check the user, password and database in DATABASE_URL`,
    );
  return err;
}

/** Runs `fn`, which connects to PostgreSQL, turning connection failures into a StartupError. */
export async function withDatabase<T>(databaseUrl: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw databaseError(err, databaseUrl);
  }
}

/**
 * Checks that Redis answers before anything starts: the job workers would otherwise retry
 * forever, and the first enqueue die with a bare ECONNREFUSED.
 */
export async function checkRedis(redisUrl: string, timeoutMs = 3_000): Promise<void> {
  const at = where(redisUrl, 6379);
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // ioredis rejects with "Connection is closed."; the reason came with the 'error' event.
  let reason: unknown;
  redis.on('error', (err) => {
    reason = err;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    const cause = reason ?? err;
    const network = networkProblem(cause, at, 'Redis');
    const message = (cause as Error).message;
    const problem =
      network ??
      (/WRONGPASS|NOAUTH|invalid password/i.test(message)
        ? `Redis at ${at} refused the login (${message}); check the user and password in REDIS_URL`
        : `Redis at ${at} did not answer (${message})`);
    throw new StartupError(
      network
        ? `REDIS_URL: ${problem}; start Redis there, or set REDIS_URL to where it runs`
        : `REDIS_URL: ${problem}`,
    );
  } finally {
    redis.disconnect();
  }
}

/** Why the HTTP server could not listen, naming the variable to change. */
export function listenError(err: unknown, at: { port: number; host: string }): unknown {
  const code = codeOf(err);
  if (code === 'EADDRINUSE')
    return new StartupError(
      `PORT: port ${at.port} on ${at.host} is already in use (another Parley, or another program); stop it, or set PORT to a free port`,
    );
  if (code === 'EACCES')
    return new StartupError(
      `PORT: not allowed to listen on port ${at.port} (ports below 1024 need privileges); set PORT to 1024 or above`,
    );
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new StartupError(
      `HOST: ${at.host} is not an address of this machine; set HOST to one of its addresses, or 0.0.0.0 for all`,
    );
  return err;
}
