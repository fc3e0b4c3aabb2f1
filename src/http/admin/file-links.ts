import { createHmac, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Attachment } from '../../db/entities/index.ts';
import { AppError } from '../../domain/errors.ts';
import type { Storage } from '../../ports/storage.ts';
import type { AppEnv } from '../env.ts';
import { storedFileHeaders } from '../stored-file-headers.ts';

/**
 * Attachments in the admin API are links, not bytes: `GET /api/admin/files/<key>?exp=…&sig=…`,
 * unguessable, read-only and expiring, so a client can hand one to a browser without the admin
 * token. The HMAC key is derived from ADMIN_API_TOKEN (never the token itself): changing the token
 * revokes every link. A link is made only in a read the acting user was allowed (R17).
 */
export const FILE_LINK_TTL_SECONDS = 3600;
const FILES_PATH = '/files';

const fileSecret = (adminToken: string) =>
  createHmac('sha256', adminToken).update('parley admin file links').digest();

const signature = (secret: Buffer, key: string, exp: number) =>
  createHmac('sha256', secret).update(`file\n${key}\n${exp}`).digest('base64url');

export type FileLink = (a: Attachment) => string | null;

/** Signs links under `<publicUrl><base>/files/`; null for an attachment with no stored bytes. */
export function fileLinker(opts: {
  adminToken: string;
  publicUrl: string;
  base: string;
  now?: Date;
}): FileLink {
  const secret = fileSecret(opts.adminToken);
  const exp = Math.floor((opts.now ?? new Date()).getTime() / 1000) + FILE_LINK_TTL_SECONDS;
  return (a) => {
    if (!a.storageKey || (a.status !== undefined && a.status !== 'stored')) return null;
    const path = a.storageKey.split('/').map(encodeURIComponent).join('/');
    const name = a.name ? `&name=${encodeURIComponent(a.name)}` : '';
    return `${opts.publicUrl}${opts.base}${FILES_PATH}/${path}?exp=${exp}&sig=${signature(secret, a.storageKey, exp)}${name}`;
  };
}

function checkLink(secret: Buffer, key: string, exp: string | undefined, sig: string | undefined): void {
  const expiry = Number(exp);
  if (!exp || !sig || !Number.isInteger(expiry)) {
    throw new AppError('forbidden', 'This file link is incomplete (exp and sig are required).');
  }
  const expected = Buffer.from(signature(secret, key, expiry));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AppError('forbidden', 'This file link is not valid.');
  }
  if (expiry * 1000 < Date.now()) {
    throw new AppError('forbidden', 'This file link has expired; read the conversation again for a new one.');
  }
}

/**
 * Serves a stored file to whoever holds a valid link, with the headers every stored file gets
 * (sandboxed, downloaded unless a plain image). Mounted outside the bearer check: the link is the key.
 */
export function fileRoutes(storage: Storage, adminToken: string | undefined): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get(`${FILES_PATH}/:key{.+}`, async (c) => {
    if (!adminToken) throw new AppError('not_configured', 'The admin API is turned off.');
    const key = c.req.param('key');
    checkLink(fileSecret(adminToken), key, c.req.query('exp'), c.req.query('sig'));
    const stored = await storage.get(key);
    if (!stored) throw new AppError('not_found', 'This file no longer exists.');
    return c.body(
      stored.data as Uint8Array<ArrayBuffer>,
      200,
      storedFileHeaders({
        contentType: stored.contentType,
        name: c.req.query('name') ?? null,
        cacheControl: 'private, max-age=300',
      }),
    );
  });
  return app;
}
