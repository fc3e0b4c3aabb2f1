import type { EntityManager } from '@mikro-orm/postgresql';
import { Hono } from 'hono';
import { type Attachment, type WebchatSession, WebchatUpload } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import { assertSize, newStorageKey, type Storage } from '../../../src/ports/storage.ts';
import { storable } from '../../../src/use-cases/input.ts';
import { authenticate } from './sessions.ts';
import { sessionContactId } from './view.ts';

/** Room for the multipart envelope around the file when the Content-Length is checked up front. */
const MULTIPART_OVERHEAD = 16 * 1024;
/** Images a browser may show inline; anything else (SVG included) is downloaded, never rendered here. */
const inlineTypes = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif']);

export function kindOf(mimeType: string): WebchatUpload['kind'] {
  if (inlineTypes.has(mimeType)) return 'image';
  if (mimeType.startsWith('audio/')) return 'audio';
  if (mimeType.startsWith('video/')) return 'video';
  if (/^(application\/pdf|text\/|application\/(msword|vnd\.))/.test(mimeType)) return 'document';
  return 'file';
}

const cleanType = (type: string) =>
  type.length <= 100 && /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type.toLowerCase() : 'application/octet-stream';

/** `POST /webchat/api/uploads` (multipart, field `file`) and `GET /webchat/api/files/:id`. */
export function fileRoutes(storage: Storage): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/webchat/api/uploads', async (c) => {
    const em = c.get('em');
    const session = await authenticate(em, c.req.header('Authorization'));
    // Refused before the body is read when the size is announced.
    const announced = Number(c.req.header('Content-Length') ?? 0);
    if (announced > storage.maxBytes + MULTIPART_OVERHEAD) assertSize(storage, announced, 'The file');
    let file: unknown;
    try {
      file = (await c.req.parseBody()).file;
    } catch {
      throw new AppError('bad_request', 'Send the file as multipart/form-data in a field named "file".');
    }
    if (!(file instanceof File)) {
      throw new AppError('bad_request', 'Send the file as multipart/form-data in a field named "file".');
    }
    const name = (storable(file.name) || 'file').slice(0, 200);
    assertSize(storage, file.size, `"${name}"`);
    const mimeType = cleanType(file.type);
    const storageKey = `webchat/${newStorageKey()}`;
    await storage.put(storageKey, new Uint8Array(await file.arrayBuffer()), mimeType);
    const upload = em.create(WebchatUpload, {
      session,
      storageKey,
      kind: kindOf(mimeType),
      name,
      mimeType,
      size: file.size,
    });
    await em.flush();
    return c.json({ id: upload.id, kind: upload.kind, name, mimeType, size: upload.size }, 201);
  });

  app.get('/webchat/api/files/:id', async (c) => {
    const em = c.get('em');
    const session = await authenticate(em, c.req.header('Authorization'));
    const file = await findFile(em, session, c.req.param('id'));
    const stored = file?.storageKey ? await storage.get(file.storageKey) : null;
    if (!file || !stored)
      throw new AppError('not_found', 'That file is not in this chat (or not available yet).');
    const type = file.mimeType ?? stored.contentType;
    const disposition = inlineTypes.has(type) ? 'inline' : 'attachment';
    return c.body(stored.data as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': inlineTypes.has(type) ? type : 'application/octet-stream',
      'Content-Disposition': `${disposition}; filename*=UTF-8''${encodeURIComponent(file.name ?? 'file')}`,
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, max-age=3600',
    });
  });

  return app;
}

/**
 * A file this visitor may download: one they uploaded in this session, or an attachment of a
 * message in their own conversations that the customer sees (never a note's: R5).
 */
async function findFile(
  em: EntityManager,
  session: WebchatSession,
  id: string,
): Promise<Pick<Attachment, 'storageKey' | 'mimeType' | 'name'> | null> {
  if (!/^[\w-]{1,100}$/.test(id)) return null;
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
  const upload = isUuid ? await em.findOne(WebchatUpload, { id, session }) : null;
  if (upload) return upload;
  const contactId = await sessionContactId(em, session);
  if (!contactId) return null;
  const rows = await em.getConnection().execute<{ attachments: Attachment[] }[]>(
    `select m.attachments from message m join conversation c on c.id = m.conversation_id
      where c.contact_id = ? and c.status <> 'deleted' and m.kind in ('inbound', 'reply', 'ai', 'auto_response')
        and coalesce(m.delivery_state, 'sent') <> 'failed' and m.attachments @> ?::jsonb
      limit 1`,
    [contactId, JSON.stringify([{ id }])],
  );
  return rows[0]?.attachments.find((a) => a.id === id) ?? null;
}
