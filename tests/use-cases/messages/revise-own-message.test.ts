import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation, Message } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { reviseOwnMessage } from '../../../src/use-cases/revise-own-message.ts';
import { conversationWithQueuedReply } from '../../support/conversations.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

/** A queued reply Alice wrote in a chat thread (its source key set, as the Slack handler does). */
async function replyFromSlack(text: string) {
  const { conv, reply } = await conversationWithQueuedReply(db.em(), ws, text);
  const sourceRef = `slack:C_SUPPORT:${reply.id}`;
  await db.em().nativeUpdate(Message, { id: reply.id }, { sourceRef });
  return { conv, reply, sourceRef };
}
const ctx = () => ({ em: db.em() });

describe('an agent edits or deletes their reply on a chat surface', () => {
  it('R29: an edit before delivery changes what the customer gets', async () => {
    const { reply, sourceRef } = await replyFromSlack('Teh parcel');
    const r = await reviseOwnMessage(ctx(), userActor(ws.alice.id), {
      sourceRef,
      change: { kind: 'edit', text: 'The parcel' },
    });
    expect(r.outcome).toBe('edited');
    expect((await db.em().findOneOrFail(Message, reply.id)).text).toBe('The parcel');
  });

  it('R11: a withdrawn reply is never sent and the customer’s message waits for a reply again', async () => {
    const { conv, reply, sourceRef } = await replyFromSlack('Oops, wrong customer');
    expect((await db.em().findOneOrFail(Conversation, conv.id)).unrepliedCount).toBe(0);
    const r = await reviseOwnMessage(ctx(), userActor(ws.alice.id), {
      sourceRef,
      change: { kind: 'withdraw' },
    });
    expect(r.outcome).toBe('withdrawn');
    const after = await db.em().findOneOrFail(Message, reply.id);
    expect(after).toMatchObject({ deliveryState: 'failed', deliveryDueAt: null });
    const c = await db.em().findOneOrFail(Conversation, conv.id);
    expect(c.unrepliedCount).toBe(1);
    expect(c.oldestUnrepliedAt).not.toBeNull();
  });

  it('after the deliver worker took it, or for someone else’s message, nothing changes', async () => {
    const { reply, sourceRef } = await replyFromSlack('Already gone');
    await db.em().nativeUpdate(Message, { id: reply.id }, { deliveryState: 'sent' });
    const late = await reviseOwnMessage(ctx(), userActor(ws.alice.id), {
      sourceRef,
      change: { kind: 'edit', text: 'x' },
    });
    expect(late.outcome).toBe('already_sent');
    const notHers = await reviseOwnMessage(ctx(), userActor(ws.bob.id), {
      sourceRef,
      change: { kind: 'withdraw' },
    });
    expect(notHers.outcome).toBe('unknown');
    expect(await db.em().findOneOrFail(Message, reply.id)).toMatchObject({
      text: 'Already gone',
      deliveryState: 'sent',
    });
  });
});
