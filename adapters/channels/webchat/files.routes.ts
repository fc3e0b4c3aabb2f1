import type { EntityManager } from '@mikro-orm/postgresql';
import { Hono } from 'hono';
import { type Attachment, type WebchatSession, WebchatUpload } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import { storedFileHeaders } from '../../../src/http/stored-file-headers.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import type { WebchatPolicy } from './policy.ts';
import { authenticate } from './sessions.ts';
import { sessionContactId } from './view.ts';

/** `GET /webchat/api/files/:id`: a file of the visitor's own chat. */
export function fileRoutes(storage: Storage, policy: WebchatPolicy): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/webchat/api/files/:id', async (c) => {
    const em = c.get('em');
    const { session } = await authenticate(c, policy);
    const file = await findFile(em, session, c.req.param('id'));
    const stored = file?.storageKey ? await storage.get(file.storageKey) : null;
    if (!file || !stored)
      throw new AppError('not_found', 'That file is not in this chat (or not available yet).');
    return c.body(
      stored.data as Uint8Array<ArrayBuffer>,
      200,
      storedFileHeaders({
        contentType: file.mimeType ?? stored.contentType,
        name: file.name ?? 'file',
        cacheControl: 'private, max-age=3600',
      }),
    );
  });

  return app;
}

/**
 * A file this visitor may download: one they uploaded in this session, or an attachment of a
 * message that the customer sees in their own conversations with this widget's group (never a
 * note's: R5; never another group's conversation of the same contact: R17).
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
      where c.contact_id = ? and c.group_id = ? and c.status <> 'deleted'
        and m.kind in ('inbound', 'reply', 'ai', 'auto_response')
        and coalesce(m.delivery_state, 'sent') <> 'failed' and m.attachments @> ?::jsonb
      limit 1`,
    [contactId, session.endpoint.group.id, JSON.stringify([{ id }])],
  );
  return rows[0]?.attachments.find((a) => a.id === id) ?? null;
}
