/**
 * Where tests find PostgreSQL and Redis; override with TEST_DATABASE_URL / TEST_REDIS_URL. Where
 * nothing answers at these defaults, global-setup.ts starts local ones and sets the two variables.
 */

export function baseDatabaseUrl(database: string): string {
  const url = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${database}`;
  return url.toString();
}

export const adminUrl = () => baseDatabaseUrl('postgres');
export const redisUrl = () => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
