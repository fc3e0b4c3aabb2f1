import { beforeAll, describe, expect, it } from 'vitest';
import { Message } from '../../../src/db/entities/index.ts';
import { systemActor, userActor } from '../../../src/domain/actor.ts';
import { deliverMessage } from '../../../src/use-cases/deliver-message.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { updateDelivery } from '../../../src/use-cases/update-delivery.ts';
import { recordingChannel } from '../../support/fake-channel.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { ctxAt, customerWrites, providerOf } from './support.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

/** WhatsApp as the deliver step sees it: it takes every message and answers with its own id. */
const whatsapp = recordingChannel('whatsapp');
/** The provider name the deliver step records with the provider's id, as status callbacks name it. */
const PROVIDER = 'whatsapp';

/** A reply the deliver step has handed to WhatsApp (it records the provider's message id). */
async function sentReply() {
  const { phone } = await seedContact(db.em(), ws.account);
  const { conversationId, messageId: inboundId } = await customerWrites(db, { from: phone });
  const reply = await sendReply(ctxAt(db), userActor(ws.alice.id), { conversationId, text: 'Done ✅' });
  const sent = await deliverMessage(
    { em: db.em(), channels: new Map([['whatsapp', whatsapp.channel]]) },
    reply.messageId,
  );
  if (sent.outcome !== 'sent') throw new Error(`the reply was not sent: ${sent.outcome}`);
  expect(await stateOf(reply.messageId)).toEqual({ state: 'sent', reason: null });
  return { messageId: reply.messageId, providerMessageId: sent.providerMessageId, inboundId, conversationId };
}

const wa = providerOf('whatsapp');
const stateOf = async (id: string) => {
  const m = await db.em().findOneOrFail(Message, { id });
  return { state: m.deliveryState, reason: m.deliveryReason };
};

describe('update-delivery', () => {
  it('R29: a provider callback moves the reply to delivered, then read, and records the change', async () => {
    const r = await sentReply();
    const delivered = await updateDelivery(ctxAt(db), wa, {
      provider: PROVIDER,
      providerMessageId: r.providerMessageId,
      state: 'delivered',
    });
    expect(delivered).toMatchObject({ state: 'delivered', changed: true, conversationId: r.conversationId });
    expect(delivered.events).toEqual([
      expect.objectContaining({
        type: 'message.delivery_changed',
        messageId: r.messageId,
        state: 'delivered',
        groupId: ws.group.id,
      }),
    ]);
    await updateDelivery(ctxAt(db), wa, {
      provider: PROVIDER,
      providerMessageId: r.providerMessageId,
      state: 'read',
    });
    expect(await stateOf(r.messageId)).toEqual({ state: 'read', reason: null });
  });

  it('R29: a late "delivered" after "read" changes nothing (the furthest state wins) and records no event', async () => {
    const r = await sentReply();
    await updateDelivery(ctxAt(db), wa, {
      provider: PROVIDER,
      providerMessageId: r.providerMessageId,
      state: 'read',
    });
    const late = await updateDelivery(ctxAt(db), wa, {
      provider: PROVIDER,
      providerMessageId: r.providerMessageId,
      state: 'delivered',
    });
    expect([late.state, late.changed, late.events]).toEqual(['read', false, []]);
    expect((await stateOf(r.messageId)).state).toBe('read');
  });

  it('R29: concurrent callbacks for one message end in the furthest state', async () => {
    const r = await sentReply();
    await Promise.all(
      (['delivered', 'read', 'delivered', 'sent'] as const).map((state) =>
        updateDelivery(ctxAt(db), wa, { provider: PROVIDER, providerMessageId: r.providerMessageId, state }),
      ),
    );
    expect((await stateOf(r.messageId)).state).toBe('read');
  });

  it('R29: a failure is kept with the provider\'s reason; a later "delivered" proves it arrived and clears it', async () => {
    const r = await sentReply();
    await updateDelivery(ctxAt(db), wa, {
      provider: PROVIDER,
      providerMessageId: r.providerMessageId,
      state: 'failed',
      reason: 'Re-engagement message: more than 24 hours since the customer last replied',
    });
    expect(await stateOf(r.messageId)).toEqual({
      state: 'failed',
      reason: 'Re-engagement message: more than 24 hours since the customer last replied',
    });
    await updateDelivery(ctxAt(db), wa, {
      provider: PROVIDER,
      providerMessageId: r.providerMessageId,
      state: 'sent',
    });
    expect((await stateOf(r.messageId)).state).toBe('failed');
    await updateDelivery(ctxAt(db), wa, {
      provider: PROVIDER,
      providerMessageId: r.providerMessageId,
      state: 'delivered',
    });
    expect(await stateOf(r.messageId)).toEqual({ state: 'delivered', reason: null });
  });

  it('R29: the deliver worker can report by Parley message id', async () => {
    const r = await sentReply();
    const res = await updateDelivery(ctxAt(db), systemActor, {
      messageId: r.messageId,
      state: 'failed',
      reason: 'Number blocked',
    });
    expect(res).toMatchObject({ state: 'failed', changed: true });
    expect(await stateOf(r.messageId)).toEqual({ state: 'failed', reason: 'Number blocked' });
  });

  it("an update for an unknown message, for an inbound message, from another channel's provider or from a user is refused", async () => {
    const r = await sentReply();
    await expect(
      updateDelivery(ctxAt(db), wa, { provider: PROVIDER, providerMessageId: 'wamid.NOPE', state: 'read' }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      updateDelivery(ctxAt(db), systemActor, { messageId: r.inboundId, state: 'read' }),
    ).rejects.toMatchObject({
      code: 'bad_request',
    });
    await expect(
      updateDelivery(ctxAt(db), providerOf('sms'), { messageId: r.messageId, state: 'read' }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      updateDelivery(ctxAt(db), userActor(ws.alice.id), { messageId: r.messageId, state: 'read' }),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect((await stateOf(r.messageId)).state).toBe('sent');
  });
});
