import type { EntityManager } from '@mikro-orm/postgresql';
import { Conversation, Invoice, type User } from '../../src/db/entities/index.ts';
import type { createApp } from '../../src/http/app.ts';
import { appendMessage } from '../../src/use-cases/timeline.ts';
import { clock, seedConversation, workspace } from '../queries/support.ts';
import { localTestStorage } from '../support/storage.ts';
import type { TestDb } from '../support/test-db.ts';
import { createTestDb } from '../support/test-db.ts';
import { ADMIN_TOKEN, sharedRedis, testApp } from './helpers.ts';

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

/**
 * The conversations every API test file starts from — Support: c1 (WhatsApp, Bob's, unreplied),
 * c2 (SMS, unassigned, answered), c3 (closed), c4 (restricted to Alice); Sales: c5 — in a database
 * of the file's own.
 */
export async function conversationsApiFixture() {
  const db = await createTestDb();
  const storage = localTestStorage();
  const { app } = testApp(db, sharedRedis(), { PUBLIC_URL: 'https://parley.test' }, { storage });
  const { ws } = await workspace(db);
  const now = clock();

  const c1 = await seedConversation(db, ws, now, {
    contactName: 'Dana Parcel',
    assignees: [ws.bob],
    messages: [{ kind: 'inbound', text: 'Where is my parcel?' }],
  });
  const c2 = await seedConversation(db, ws, now, {
    contactName: 'Eli Sms',
    channel: 'sms',
    messages: [
      { kind: 'inbound', text: 'Opening hours?' },
      { kind: 'reply', text: 'Nine to five', author: ws.alice },
    ],
  });
  const c3 = await seedConversation(db, ws, now, { contactName: 'Fay Closed', status: 'closed' });
  const c4 = await seedConversation(db, ws, now, {
    contactName: 'Gus Secret',
    visibleTo: [ws.alice],
    messages: [{ kind: 'inbound', text: 'Confidential merger question' }],
  });
  const c5 = await seedConversation(db, ws, now, { contactName: 'Hal Sales', group: ws.otherGroup });

  return { db, storage, app, ws, now, c1, c2, c3, c4, c5 };
}
