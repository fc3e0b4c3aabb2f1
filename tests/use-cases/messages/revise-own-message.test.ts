import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation, Message } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { deliverMessage } from '../../../src/use-cases/deliver-message.ts';
import { reviseOwnMessage } from '../../../src/use-cases/revise-own-message.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { recordingChannel } from '../../support/fake-channel.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { ctxAt, customerWrites } from './support.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

let typed = 0;
/** A customer writes; Alice replies in the Slack thread (with its source, as the Slack handler does). */
async function replyFromSlack(text: string) {
  const { phone } = await seedContact(db.em(), ws.account);
  const { conversationId } = await customerWrites(db, { from: phone });
  const ts = `1700000000.${String(++typed).padStart(6, '0')}`;
  const sourceRef = `slack:C_SUPPORT:${ts}`;
  const sent = await sendReply(ctxAt(db), userActor(ws.alice.id), {
    conversationId,
    text,
    source: { key: sourceRef, origin: { surface: 'slack', ref: { channel: 'C_SUPPORT', ts } } },
  });
  return { conv: { id: conversationId }, reply: { id: sent.messageId }, sourceRef };
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
    const whatsapp = recordingChannel('whatsapp');
    const delivered = await deliverMessage(
      { em: db.em(), channels: new Map([['whatsapp', whatsapp.channel]]) },
      reply.id,
    );
    expect(delivered.outcome).toBe('sent');
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
    expect(whatsapp.sent.map((m) => m.text)).toEqual(['Already gone']);
  });
});
