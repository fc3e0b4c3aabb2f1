import { describe, expect, it } from 'vitest';
import {
  Checkout,
  type Conversation,
  Invoice,
  ReadState,
  type User,
} from '../../../src/db/entities/index.ts';
import type { Actor } from '../../../src/domain/actor.ts';
import { assignConversation, assignToMe, unassign } from '../../../src/use-cases/assign-conversation.ts';
import { closeConversation } from '../../../src/use-cases/close-conversation.ts';
import type { UseCaseContext } from '../../../src/use-cases/context.ts';
import { deleteConversation } from '../../../src/use-cases/delete-conversation.ts';
import { markInvoicePaid, voidInvoice } from '../../../src/use-cases/invoice-changes.ts';
import { createCheckout, createInvoice } from '../../../src/use-cases/invoices.ts';
import { markRead, markUnread } from '../../../src/use-cases/mark-read.ts';
import { reopenConversation } from '../../../src/use-cases/reopen-conversation.ts';
import { restrictVisibility } from '../../../src/use-cases/restrict-visibility.ts';
import { createTestDb } from '../../support/test-db.ts';
import { addInvoice, addUser, as, ctxFor, openConv, refusal, reload, workspace } from './support.ts';

/**
 * R33 (with R17) for every conversation-management use-case: whatever surface the action comes
 * from, the server checks the acting user's group, that they are active, and that they may see
 * the conversation. Each case first shows the action succeeding for a user who may act, so the
 * refusals below it are about who acts, not about the action.
 */
const db = await createTestDb();
const ws = await workspace(db);

interface Case {
  name: string;
  /** The conversation is closed first (reopen acts on closed conversations). */
  closed?: boolean;
  /** Who may act on a conversation assigned to and visible to `user` (defaults to that user). */
  actsAs?: 'user' | 'admin';
  /** The conversation starts with no assignee (so taking it is seen). */
  unassigned?: boolean;
  /** What the acting user did before, so the action's effect can be seen. */
  first?: (ctx: UseCaseContext, actor: Actor, conv: Conversation) => Promise<unknown>;
  run: (ctx: UseCaseContext, actor: Actor, conv: Conversation) => Promise<unknown>;
  /** What the user sees once the action succeeded. */
  effect: (conv: Conversation, user: User) => Promise<void>;
}

const items = [{ description: 'Repair', quantity: 1, unitAmountMinor: 1000 }];
let refs = 0;
const invoiceOf = async (conv: Conversation) => (await addInvoice(db, conv, `R33-${++refs}`)).id;
const conversationNow = (conv: Conversation) => reload(db, conv.id);
const readUpTo = async (conv: Conversation, user: User) =>
  (await db.em().findOne(ReadState, { user: user.id, conversation: conv.id }))?.lastReadSeq;
const invoicesOf = async (conv: Conversation) =>
  (await db.em().find(Invoice, { conversation: conv.id })).map((i) => [i.status, i.amountMinor, i.currency]);

const cases: Case[] = [
  {
    name: 'assign',
    run: (ctx, a, c) => assignConversation(ctx, a, { conversationId: c.id, assigneeIds: [] }),
    effect: async (c) => expect((await conversationNow(c)).assigneeIds).toEqual([]),
  },
  {
    name: 'assign to me',
    unassigned: true,
    run: (ctx, a, c) => assignToMe(ctx, a, { conversationId: c.id }),
    effect: async (c, user) => expect((await conversationNow(c)).assigneeIds).toEqual([user.id]),
  },
  {
    name: 'unassign',
    run: (ctx, a, c) => unassign(ctx, a, { conversationId: c.id }),
    effect: async (c) => expect((await conversationNow(c)).assigneeIds).toEqual([]),
  },
  {
    name: 'restrict visibility',
    run: (ctx, a, c) => restrictVisibility(ctx, a, { conversationId: c.id, visibleToIds: null }),
    effect: async (c) => expect((await conversationNow(c)).visibleToIds).toBeNull(),
  },
  {
    name: 'close',
    run: (ctx, a, c) => closeConversation(ctx, a, { conversationId: c.id }),
    effect: async (c) => expect((await conversationNow(c)).status).toBe('closed'),
  },
  {
    name: 'reopen',
    closed: true,
    run: (ctx, a, c) => reopenConversation(ctx, a, { conversationId: c.id }),
    effect: async (c) => expect((await conversationNow(c)).status).toBe('open'),
  },
  {
    name: 'delete',
    actsAs: 'admin',
    run: (ctx, a, c) => deleteConversation(ctx, a, { conversationId: c.id }),
    effect: async (c) => expect((await conversationNow(c)).status).toBe('deleted'),
  },
  {
    name: 'mark read',
    run: (ctx, a, c) => markRead(ctx, a, { conversationId: c.id }),
    effect: async (c, user) => expect(await readUpTo(c, user)).toBe(c.lastSeq),
  },
  {
    name: 'mark unread',
    first: (ctx, a, c) => markRead(ctx, a, { conversationId: c.id }),
    run: (ctx, a, c) => markUnread(ctx, a, { conversationId: c.id }),
    // The latest message is unread again.
    effect: async (c, user) => expect(await readUpTo(c, user)).toBe(c.lastSeq - 1),
  },
  {
    name: 'create invoice',
    run: (ctx, a, c) => createInvoice(ctx, a, { conversationId: c.id, currency: 'EUR', items }),
    effect: async (c) => expect(await invoicesOf(c)).toEqual([['unpaid', 1000, 'EUR']]),
  },
  {
    name: 'create checkout',
    run: (ctx, a, c) => createCheckout(ctx, a, { conversationId: c.id, currency: 'EUR', items }),
    effect: async (c) =>
      expect(
        (await db.em().find(Checkout, { conversation: c.id })).map((k) => [
          k.status,
          k.amountMinor,
          k.currency,
        ]),
      ).toEqual([['pending', 1000, 'EUR']]),
  },
  {
    name: 'mark invoice paid',
    actsAs: 'admin',
    run: async (ctx, a, c) => markInvoicePaid(ctx, a, { invoiceId: await invoiceOf(c) }),
    effect: async (c) => expect((await invoicesOf(c)).map(([status]) => status)).toEqual(['paid']),
  },
  {
    name: 'void invoice',
    actsAs: 'admin',
    run: async (ctx, a, c) => voidInvoice(ctx, a, { invoiceId: await invoiceOf(c) }),
    effect: async (c) => expect((await invoicesOf(c)).map(([status]) => status)).toEqual(['void']),
  },
];

/** A conversation assigned to and (when `restricted`) visible only to `user`. */
function conversationFor(c: Case, user: User, restricted: boolean) {
  return openConv(db, ws, {
    assignees: c.unassigned ? [] : [user],
    visibleTo: restricted ? [user] : null,
    status: c.closed ? 'closed' : 'open',
  });
}

describe.each(cases)('R33: $name', (c) => {
  const role = c.actsAs === 'admin' ? 'admin' : 'agent';

  it(`R33: ${c.name} succeeds for an active ${role} of the group who may see the conversation`, async () => {
    const user = await addUser(db, ws, 'Vera', { role });
    const conv = await conversationFor(c, user, true);
    if (c.first) await c.first(ctxFor(db), as(user), conv);
    await c.run(ctxFor(db), as(user), conv);
    await c.effect(conv, user);
  });

  it(`R33: ${c.name} is refused to a user of another group`, async () => {
    const outsider = await addUser(db, ws, 'Otto', { role, groupId: ws.otherGroup.id });
    const conv = await conversationFor(c, ws.alice, false);
    await refusal(c.run(ctxFor(db), as(outsider), conv), 'not_found');
    expect((await reload(db, conv.id)).lastSeq).toBe(conv.lastSeq);
  });

  it(`R33: ${c.name} is refused to an inactive user`, async () => {
    const inactive = await addUser(db, ws, 'Ivy', { role, active: false });
    const conv = await conversationFor(c, inactive, false);
    await refusal(c.run(ctxFor(db), as(inactive), conv), 'forbidden');
    expect((await reload(db, conv.id)).lastSeq).toBe(conv.lastSeq);
  });

  it(`R17: ${c.name} is refused to an agent of the group who is not on a restricted conversation's list`, async () => {
    const conv = await conversationFor(c, ws.alice, true);
    // Deleting is refused to every agent (R24) before visibility matters.
    await refusal(c.run(ctxFor(db), as(ws.bob), conv), 'forbidden', c.name === 'delete' ? 'R24' : 'R17');
  });

  if (c.name === 'delete') {
    it("R24: an admin who is not on a restricted conversation's list may still delete it", async () => {
      const conv = await conversationFor(c, ws.alice, true);
      await c.run(ctxFor(db), as(ws.admin), conv);
      expect((await reload(db, conv.id)).status).toBe('deleted');
    });
  } else {
    it(`R17: ${c.name} is refused to an admin who is not on a restricted conversation's list`, async () => {
      const conv = await conversationFor(c, ws.alice, true);
      await refusal(c.run(ctxFor(db), as(ws.admin), conv), 'forbidden', 'R17');
    });
  }
});
