import type { EntityManager } from '@mikro-orm/postgresql';
import {
  Account,
  ChannelEndpoint,
  Contact,
  type Conversation,
  Group,
  InternalChat,
  InternalMessage,
  ReadState,
  User,
} from '../../src/db/entities/index.ts';
import type { MessageKind } from '../../src/domain/events.ts';
import { toViewer } from '../../src/use-cases/load.ts';
import { appendMessage, openConversation } from '../../src/use-cases/timeline.ts';
import { seedContact, seedWorkspace, type Workspace } from '../support/fixtures.ts';
import type { TestDb } from '../support/test-db.ts';

/** A clock that moves one minute per tick, so list order is deterministic. */
export function clock(start = Date.parse('2026-03-01T09:00:00Z')) {
  let t = start;
  return () => {
    t += 60_000;
    return new Date(t);
  };
}

export interface ConversationSeed {
  contactName?: string;
  group?: Group;
  channel?: 'whatsapp' | 'sms' | 'webchat';
  /** `deliver`: a reply queued for the deliver step, as a sent reply starts. */
  messages?: { kind: MessageKind; text?: string; author?: User; deliver?: boolean }[];
  assignees?: User[];
  visibleTo?: User[] | null;
  status?: 'open' | 'closed' | 'deleted';
}

/** Opens a conversation and appends its messages through the real timeline code (counters per R11). */
export async function seedConversation(
  db: TestDb,
  ws: Workspace,
  now: () => Date,
  seed: ConversationSeed = {},
) {
  const em = db.em();
  const { contact } = await seedContact(em, ws.account, { name: seed.contactName ?? 'Dana Customer' });
  const group = seed.group ?? ws.group;
  const channel = seed.channel ?? 'whatsapp';
  const endpoint = group.id === ws.group.id ? ws[channel] : ws.salesWhatsapp;
  return em.transactional(async (tx) => {
    const conv = await openConversation(tx as EntityManager, {
      account: tx.getReference(Account, ws.account.id),
      group: tx.getReference(Group, group.id),
      contact: tx.getReference(Contact, contact.id),
      channel,
      endpoint: tx.getReference(ChannelEndpoint, endpoint.id),
      direction: 'inbound',
      identified: true,
      visibleToIds: null,
      now: now(),
    });
    for (const m of seed.messages ?? [{ kind: 'inbound', text: 'Hello, I need help' }]) {
      const author = m.author ? tx.getReference(User, m.author.id) : null;
      await appendMessage(tx as EntityManager, conv, {
        kind: m.kind,
        text: m.text ?? null,
        author,
        ...(m.deliver ? { deliver: true } : {}),
        now: now(),
      });
    }
    conv.assigneeIds = (seed.assignees ?? []).map((u) => u.id);
    conv.visibleToIds = seed.visibleTo ? seed.visibleTo.map((u) => u.id) : null;
    conv.status = seed.status ?? 'open';
    return conv as Conversation;
  });
}

/** R12: the user has read the conversation up to `seq` (its latest message by default). */
export async function markRead(db: TestDb, user: User, conv: Conversation, seq = conv.lastSeq) {
  const em = db.em();
  em.create(ReadState, { user: user.id, conversation: conv.id, lastReadSeq: seq });
  await em.flush();
}

/** R25: an internal chat between two users (or one user with themselves) with its messages. */
export async function seedInternalChat(
  db: TestDb,
  ws: Workspace,
  a: User,
  b: User,
  texts: string[],
  at: Date,
) {
  const em = db.em();
  const [userA, userB] = a.id <= b.id ? [a, b] : [b, a];
  const chat = em.create(InternalChat, {
    account: ws.account.id,
    userA: userA.id,
    userB: userB.id,
    lastSeq: texts.length,
    lastMessageAt: at,
  });
  texts.forEach((text, i) => {
    em.create(InternalMessage, { chat, seq: i + 1, author: a.id, text, createdAt: at });
  });
  await em.flush();
  return chat;
}

export async function workspace(db: TestDb) {
  const ws = await seedWorkspace(db.em());
  const viewers = {
    admin: toViewer(ws.admin),
    alice: toViewer(ws.alice),
    bob: toViewer(ws.bob),
    carol: toViewer(ws.carol),
  };
  return { ws, viewers };
}
