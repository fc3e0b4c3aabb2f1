import type { EntityManager } from '@mikro-orm/postgresql';
import { Conversation, Invoice, type User } from '../../src/db/entities/index.ts';
import type { createApp } from '../../src/http/app.ts';
import { appendMessage } from '../../src/use-cases/timeline.ts';
import type { TestDb } from '../support/test-db.ts';
import { ADMIN_TOKEN } from './helpers.ts';

/** A call to the admin API as a named Parley user (X-Parley-User: their id, or any string given). */
export function callAs(
  app: ReturnType<typeof createApp>,
  as: User | string | null,
  method: string,
  path: string,
  body?: unknown,
) {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN_TOKEN}` };
  if (as !== null) headers['x-parley-user'] = typeof as === 'string' ? as : as.id;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return app.request(`/api/admin/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The JSON of a response, after checking its status (the body is shown when it differs). */
export async function expectJson<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

export interface ApiError {
  error: { code: string; message: string; requestId?: string; details?: Record<string, unknown> };
}

/** Appends a customer message carrying a stored file, as the fetch-media job leaves it. */
export async function appendStoredFile(
  db: TestDb,
  conversationId: string,
  file: { key: string; name: string; mimeType: string; size: number },
  at: Date,
) {
  await db.em().transactional(async (tx) => {
    const conv = await tx.findOneOrFail(Conversation, conversationId);
    await appendMessage(tx as EntityManager, conv, {
      kind: 'inbound',
      text: 'Here is the photo',
      attachments: [
        {
          id: 'att-1',
          kind: 'document',
          name: file.name,
          mimeType: file.mimeType,
          size: file.size,
          storageKey: file.key,
          status: 'stored',
        },
        { id: 'att-2', kind: 'image', providerRef: 'media-123', status: 'pending' },
      ],
      now: at,
    });
  });
}

export async function seedInvoice(db: TestDb, conv: Conversation, reference: string) {
  const em = db.em();
  const invoice = em.create(Invoice, {
    account: conv.account.id,
    conversation: conv.id,
    reference,
    amountMinor: 4200,
    currency: 'EUR',
    items: [{ description: 'Repair', quantity: 1, unitAmountMinor: 4200 }],
    status: 'unpaid',
    payLink: null,
  });
  await em.flush();
  return invoice;
}
