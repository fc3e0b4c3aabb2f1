import { describe, expect, it } from 'vitest';
import type { Conversation, User } from '../../../src/db/entities/index.ts';
import type { Actor } from '../../../src/domain/actor.ts';
import { assignConversation, assignToMe, unassign } from '../../../src/use-cases/assign-conversation.ts';
import { closeConversation } from '../../../src/use-cases/close-conversation.ts';
import type { UseCaseContext } from '../../../src/use-cases/context.ts';
import { deleteConversation } from '../../../src/use-cases/delete-conversation.ts';
import {
  createCheckout,
  createInvoice,
  markInvoicePaid,
  voidInvoice,
} from '../../../src/use-cases/invoices.ts';
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
  run: (ctx: UseCaseContext, actor: Actor, conv: Conversation) => Promise<unknown>;
}

const items = [{ description: 'Repair', quantity: 1, unitAmountMinor: 1000 }];
let refs = 0;
const invoiceOf = async (conv: Conversation) => (await addInvoice(db, conv, `R33-${++refs}`)).id;

const cases: Case[] = [
  {
    name: 'assign',
    run: (ctx, a, c) => assignConversation(ctx, a, { conversationId: c.id, assigneeIds: [] }),
  },
  { name: 'assign to me', run: (ctx, a, c) => assignToMe(ctx, a, { conversationId: c.id }) },
  { name: 'unassign', run: (ctx, a, c) => unassign(ctx, a, { conversationId: c.id }) },
  {
    name: 'restrict visibility',
    run: (ctx, a, c) => restrictVisibility(ctx, a, { conversationId: c.id, visibleToIds: null }),
  },
  { name: 'close', run: (ctx, a, c) => closeConversation(ctx, a, { conversationId: c.id }) },
  { name: 'reopen', closed: true, run: (ctx, a, c) => reopenConversation(ctx, a, { conversationId: c.id }) },
  {
    name: 'delete',
    actsAs: 'admin',
    run: (ctx, a, c) => deleteConversation(ctx, a, { conversationId: c.id }),
  },
  { name: 'mark read', run: (ctx, a, c) => markRead(ctx, a, { conversationId: c.id }) },
  { name: 'mark unread', run: (ctx, a, c) => markUnread(ctx, a, { conversationId: c.id }) },
  {
    name: 'create invoice',
    run: (ctx, a, c) => createInvoice(ctx, a, { conversationId: c.id, currency: 'EUR', items }),
  },
  {
    name: 'create checkout',
    run: (ctx, a, c) => createCheckout(ctx, a, { conversationId: c.id, currency: 'EUR', items }),
  },
  {
    name: 'mark invoice paid',
    actsAs: 'admin',
    run: async (ctx, a, c) => markInvoicePaid(ctx, a, { invoiceId: await invoiceOf(c) }),
  },
  {
    name: 'void invoice',
    actsAs: 'admin',
    run: async (ctx, a, c) => voidInvoice(ctx, a, { invoiceId: await invoiceOf(c) }),
  },
];

/** A conversation assigned to and (when `restricted`) visible only to `user`. */
function conversationFor(c: Case, user: User, restricted: boolean) {
  return openConv(db, ws, {
    assignees: [user],
    visibleTo: restricted ? [user] : null,
    status: c.closed ? 'closed' : 'open',
  });
}

describe.each(cases)('R33: $name', (c) => {
  const role = c.actsAs === 'admin' ? 'admin' : 'agent';

  it(`R33: ${c.name} succeeds for an active ${role} of the group who may see the conversation`, async () => {
    const user = await addUser(db, ws, 'Vera', { role });
    const conv = await conversationFor(c, user, true);
    await expect(c.run(ctxFor(db), as(user), conv)).resolves.toBeDefined();
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
