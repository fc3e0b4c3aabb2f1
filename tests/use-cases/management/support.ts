import type { EntityManager } from '@mikro-orm/postgresql';
import { expect } from 'vitest';
import {
  Account,
  ChannelEndpoint,
  Contact,
  Conversation,
  Group,
  Invoice,
  Message,
  User,
} from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { type AppError, isAppError } from '../../../src/domain/errors.ts';
import type { UseCaseContext } from '../../../src/use-cases/context.ts';
import { appendMessage, openConversation } from '../../../src/use-cases/timeline.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import type { TestDb } from '../../support/test-db.ts';

/**
 * Conversations for the management tests, built with the timeline primitives directly so these
 * tests do not depend on the inbound/reply use-cases.
 */

export const ctxFor = (db: TestDb): UseCaseContext => ({ em: db.em() });
export const as = (user: { id: string }) => userActor(user.id);

/** The workspace of a test file (its endpoints' addresses are unique, so one per database). */
export async function workspace(db: TestDb): Promise<Workspace> {
  return seedWorkspace(db.em());
}

export interface OpenOptions {
  channel?: 'whatsapp' | 'sms' | 'webchat';
  direction?: 'inbound' | 'outbound';
  /** What the timeline holds, in order (default: one customer message). */
  messages?: Array<'inbound' | 'reply' | 'note'>;
  contactId?: string;
  assignees?: { id: string }[];
  visibleTo?: { id: string }[] | null;
  status?: 'open' | 'closed';
}

/** Opens a conversation in the workspace's Support group, as receive-inbound or send-reply would. */
export async function openConv(db: TestDb, ws: Workspace, opts: OpenOptions = {}): Promise<Conversation> {
  const channel = opts.channel ?? 'whatsapp';
  const direction = opts.direction ?? 'inbound';
  const contactId = opts.contactId ?? (await seedContact(db.em(), ws.account)).contact.id;
  return db.em().transactional(async (tx) => {
    const group = await tx.findOneOrFail(Group, ws.group.id);
    const endpoint = await tx.findOneOrFail(ChannelEndpoint, { group, channel });
    const now = new Date();
    const conv = await openConversation(tx as EntityManager, {
      account: tx.getReference(Account, ws.account.id),
      group,
      contact: await tx.findOneOrFail(Contact, contactId),
      channel,
      endpoint,
      direction,
      identified: true,
      visibleToIds: null,
      now,
    });
    if (opts.assignees) conv.assigneeIds = opts.assignees.map((u) => u.id);
    if (opts.visibleTo !== undefined) conv.visibleToIds = opts.visibleTo?.map((u) => u.id) ?? null;
    const kinds = opts.messages ?? (direction === 'inbound' ? ['inbound'] : ['reply']);
    for (const kind of kinds) {
      const author = kind === 'inbound' ? null : tx.getReference(User, ws.alice.id);
      await appendMessage(tx as EntityManager, conv, {
        kind,
        text: `a ${kind} message`,
        author,
        channel,
        now,
      });
    }
    if (opts.status === 'closed') {
      conv.status = 'closed';
      conv.closedAt = now;
    }
    return conv;
  });
}

export async function reload(db: TestDb, id: string): Promise<Conversation> {
  return db.em().findOneOrFail(Conversation, id);
}

export async function timeline(db: TestDb, conversationId: string): Promise<Message[]> {
  return db.em().find(Message, { conversation: conversationId }, { orderBy: { seq: 'asc' } });
}

export async function lastLine(db: TestDb, conversationId: string): Promise<string | null> {
  const messages = await timeline(db, conversationId);
  return messages.at(-1)?.text ?? null;
}

/** An invoice put straight into the table (the invoices use-case has its own tests). */
export async function addInvoice(
  db: TestDb,
  conv: Conversation,
  reference: string,
  status: 'unpaid' | 'paid' | 'void' = 'unpaid',
): Promise<Invoice> {
  const em = db.em();
  const invoice = em.create(Invoice, {
    account: em.getReference(Account, conv.account.id),
    conversation: em.getReference(Conversation, conv.id),
    reference,
    amountMinor: 2500,
    currency: 'EUR',
    items: [{ description: 'Repair', quantity: 1, unitAmountMinor: 2500 }],
    status,
  });
  await em.flush();
  return invoice;
}

let userCount = 0;

/** A further user of the Support group (or of `groupId`), for tests that change a user. */
export async function addUser(
  db: TestDb,
  ws: Workspace,
  name: string,
  opts: { role?: 'admin' | 'agent'; groupId?: string; active?: boolean } = {},
): Promise<User> {
  const em = db.em();
  userCount += 1;
  const user = em.create(User, {
    account: em.getReference(Account, ws.account.id),
    name,
    email: `${name.toLowerCase()}.${userCount}@acme.test`,
    role: opts.role ?? 'agent',
    groupIds: [opts.groupId ?? ws.group.id],
    active: opts.active ?? true,
  });
  await em.flush();
  return user;
}

/** A user of another account (with a group of its own), for R33 checks across accounts. */
export async function outsider(db: TestDb, role: 'admin' | 'agent' = 'agent'): Promise<User> {
  const em = db.em();
  userCount += 1;
  const account = em.create(Account, { name: `Other ${userCount}` });
  const group = em.create(Group, { account, name: 'Support' });
  await em.flush();
  const user = em.create(User, {
    account,
    name: 'Olga',
    email: `olga@other${userCount}.test`,
    role,
    groupIds: [group.id],
  });
  await em.flush();
  return user;
}

/** Awaits a refusal and checks its code (and rule); returns it for checks on the message. */
export async function refusal(
  promise: Promise<unknown>,
  code: AppError['code'],
  rule?: string,
): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isAppError(error), `expected an AppError(${code}), got ${String(error)}`).toBe(true);
  const appError = error as AppError;
  expect(appError.code).toBe(code);
  if (rule) expect(appError.details?.rule).toBe(rule);
  return appError;
}
