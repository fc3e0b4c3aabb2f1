import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { BroadcastRecipient, Contact, Conversation, Message } from '../../../src/db/entities/index.ts';
import { systemActor, userActor } from '../../../src/domain/actor.ts';
import {
  broadcastProgress,
  type CreateBroadcastInput,
  createBroadcast,
} from '../../../src/use-cases/create-broadcast.ts';
import { sendBroadcastBatch } from '../../../src/use-cases/send-broadcast-batch.ts';
import { updateDelivery } from '../../../src/use-cases/update-delivery.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { ctxAt, customerWrites } from './support.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

/** Contacts tagged with a tag private to the test, plus one untagged contact. */
async function audience(n: number) {
  const tag = `vip-${randomUUID().slice(0, 8)}`;
  const seeded = [];
  for (let i = 0; i < n; i++)
    seeded.push(await seedContact(db.em(), ws.account, { name: `VIP ${i}`, tags: [tag] }));
  const untagged = (await seedContact(db.em(), ws.account, { name: 'Not VIP' })).contact;
  return { tag, tagged: seeded.map((s) => s.contact), phones: seeded.map((s) => s.phone), untagged };
}

const bob = () => userActor(ws.bob.id);

/**
 * R8: a broadcast is committed with its recipients pending; the broadcast job then sends them in
 * batches. This runs that job's batches to the end, as the worker would.
 */
async function broadcastAndSend(input: CreateBroadcastInput, batchSize = 2) {
  const res = await createBroadcast(ctxAt(db), bob(), input);
  const events = [...res.events];
  for (let i = 0; i < 100; i++) {
    const batch = await sendBroadcastBatch({ em: db.em(), batchSize }, res.broadcastId);
    events.push(...batch.events);
    if (batch.outcome !== 'sent') break;
  }
  return { ...res, events };
}
const conversationsOf = (contact: Contact) => db.em().find(Conversation, { contact, group: ws.group });

describe('broadcasts', () => {
  it('R8: a broadcast to a tag reaches each tagged contact once, each in their own conversation, with per-recipient results', async () => {
    const { tag, tagged, untagged } = await audience(3);
    const res = await broadcastAndSend({
      groupId: ws.group.id,
      endpointId: ws.sms.id,
      text: 'Sale starts today 🎉',
      target: { tag },
    });
    expect(res).toMatchObject({ total: 3, queued: 3, refused: 0 });
    expect(res.events.filter((e) => e.type === 'broadcast.progress').at(-1)).toMatchObject({
      finished: true,
    });

    const em = db.em();
    const messages = await em.find(
      Message,
      { meta: { broadcastId: res.broadcastId } },
      { populate: ['conversation'] },
    );
    expect(messages).toHaveLength(3);
    expect(new Set(messages.map((m) => m.conversation.contact.id))).toEqual(new Set(tagged.map((c) => c.id)));
    expect(new Set(messages.map((m) => m.conversation.id)).size).toBe(3);
    expect(
      messages.every((m) => m.kind === 'reply' && m.channel === 'sms' && m.deliveryState === 'queued'),
    ).toBe(true);
    expect(await conversationsOf(untagged)).toHaveLength(0);

    const progress = await broadcastProgress(db.em(), res.broadcastId);
    expect(progress).toMatchObject({ total: 3, queued: 3, refused: 0, failed: 0 });
    expect(progress.recipients.map((r) => r.result)).toEqual(['queued', 'queued', 'queued']);
    expect(res.events.find((e) => e.type === 'broadcast.created')).toMatchObject({
      broadcastId: res.broadcastId,
      userId: ws.bob.id,
    });
    expect(res.events.filter((e) => e.type === 'message.created')).toHaveLength(3);
    expect(progress.state).toBe('finished');
  });

  it('R8: a recipient refused by the channel rules (SMS opt-out) gets the reason, and the others still receive the message', async () => {
    const { tag, tagged } = await audience(3);
    const em = db.em();
    const stopped = await em.findOneOrFail(Contact, { id: tagged[1]!.id });
    stopped.optedOutChannels = ['sms'];
    await em.flush();

    const res = await broadcastAndSend({
      groupId: ws.group.id,
      endpointId: ws.sms.id,
      text: 'News',
      target: { tag },
    });
    expect(res).toMatchObject({ total: 3, queued: 2, refused: 1 });
    const progress = await broadcastProgress(db.em(), res.broadcastId);
    const refused = progress.recipients.find((r) => r.contactId === stopped.id);
    expect(refused).toMatchObject({ result: 'refused', reason: expect.stringContaining('opted out') });
    expect(
      progress.recipients
        .filter((r) => r.result === 'queued')
        .map((r) => r.contactId)
        .sort(),
    ).toEqual([tagged[0]!.id, tagged[2]!.id].sort());
    expect(await conversationsOf(stopped)).toHaveLength(0);
  });

  it("R8: progress follows each recipient's delivery state", async () => {
    const { tag } = await audience(2);
    const res = await broadcastAndSend({
      groupId: ws.group.id,
      endpointId: ws.sms.id,
      text: 'Hi',
      target: { tag },
    });
    const [first, second] = await db
      .em()
      .find(Message, { meta: { broadcastId: res.broadcastId } }, { orderBy: { id: 'asc' } });
    await updateDelivery(ctxAt(db), systemActor, { messageId: first!.id, state: 'delivered' });
    await updateDelivery(ctxAt(db), systemActor, {
      messageId: second!.id,
      state: 'failed',
      reason: 'Unreachable number',
    });
    const progress = await broadcastProgress(db.em(), res.broadcastId);
    expect(progress).toMatchObject({ total: 2, queued: 0, delivered: 1, failed: 1 });
    expect(progress.recipients.find((r) => r.result === 'failed')?.reason).toBe('Unreachable number');
  });

  it('R8: a contact with an open conversation in the group gets the broadcast in that conversation', async () => {
    const { tag, tagged, phones } = await audience(1);
    const inbound = await customerWrites(db, { from: phones[0]!, channel: 'sms', text: 'question' });
    await broadcastAndSend({
      groupId: ws.group.id,
      endpointId: ws.sms.id,
      text: 'Promo',
      target: { tag },
    });
    const convs = await conversationsOf(tagged[0]!);
    expect(convs.map((c) => c.id)).toEqual([inbound.conversationId]);
    expect(convs[0]!.lastSeq).toBe(2);
  });

  it('R8, R7: a free-form WhatsApp broadcast is refused for contacts outside the 24-hour window; a template reaches them', async () => {
    const { tag } = await audience(2);
    const freeForm = await broadcastAndSend({
      groupId: ws.group.id,
      endpointId: ws.whatsapp.id,
      text: 'Hi',
      target: { tag },
    });
    expect(freeForm).toMatchObject({ queued: 0, refused: 2 });
    const progress = await broadcastProgress(db.em(), freeForm.broadcastId);
    expect(progress.recipients.every((r) => r.reason?.includes('template'))).toBe(true);

    const template = await broadcastAndSend({
      groupId: ws.group.id,
      endpointId: ws.whatsapp.id,
      template: { name: 'spring_sale', language: 'en', parameters: [] },
      target: { tag },
    });
    expect(template).toMatchObject({ queued: 2, refused: 0 });
  });

  it('R8, R17: a recipient whose open conversation is restricted away from the sender is refused; the others proceed', async () => {
    const { tag, phones } = await audience(2);
    const em = db.em();
    const { conversationId } = await customerWrites(db, { from: phones[0]!, channel: 'sms' });
    const conv = await em.findOneOrFail(Conversation, { id: conversationId });
    conv.visibleToIds = [ws.alice.id];
    await em.flush();
    const res = await broadcastAndSend({
      groupId: ws.group.id,
      endpointId: ws.sms.id,
      text: 'x',
      target: { tag },
    });
    expect(res).toMatchObject({ queued: 1, refused: 1 });
    expect((await db.em().findOneOrFail(Conversation, { id: conversationId })).lastSeq).toBe(1);
  });

  it('R8: a list of contacts reaches each listed contact once, even when listed twice', async () => {
    const { tagged } = await audience(2);
    const ids = tagged.map((c) => c.id);
    const res = await broadcastAndSend({
      groupId: ws.group.id,
      endpointId: ws.sms.id,
      text: 'Listed',
      target: { contactIds: [...ids, ids[0]!] },
    });
    expect(res.total).toBe(2);
    expect(await db.em().count(BroadcastRecipient, { broadcast: res.broadcastId })).toBe(2);
  });

  it('R8: creating a broadcast commits its recipients as pending; the broadcast job sends them in batches paced by the number’s send rate', async () => {
    const { tag } = await audience(3);
    const res = await createBroadcast(ctxAt(db), bob(), {
      groupId: ws.group.id,
      endpointId: ws.sms.id,
      text: 'Later',
      target: { tag },
    });
    expect(res).toMatchObject({ total: 3, queued: 3, refused: 0 });
    expect(await db.em().count(Message, { meta: { broadcastId: res.broadcastId } })).toBe(0);
    expect(await broadcastProgress(db.em(), res.broadcastId)).toMatchObject({
      state: 'sending',
      pending: 3,
      queued: 3,
    });
    // SMS sends 1 message a second per number; a broadcast takes 80% of it: one recipient per
    // batch, the next batch 1.25 s later.
    const at = new Date();
    const first = await sendBroadcastBatch({ em: db.em(), batchSize: 50, now: () => at }, res.broadcastId);
    expect(first).toMatchObject({ outcome: 'sent', sent: 1, nextInMs: 1250 });
    expect(await db.em().count(Message, { meta: { broadcastId: res.broadcastId } })).toBe(1);
  });

  it('R8: batches running at once (a duplicate wake-up) never send a recipient twice', async () => {
    const { tag, tagged } = await audience(6);
    const res = await createBroadcast(ctxAt(db), bob(), {
      groupId: ws.group.id,
      endpointId: ws.sms.id,
      text: 'Once',
      target: { tag },
    });
    for (let round = 0; round < 10; round++) {
      const outcomes = await Promise.all(
        [1, 2, 3].map(() => sendBroadcastBatch({ em: db.em(), batchSize: 2 }, res.broadcastId)),
      );
      if (outcomes.every((o) => o.outcome === 'finished' || o.outcome === 'busy')) break;
    }
    const messages = await db
      .em()
      .find(Message, { meta: { broadcastId: res.broadcastId } }, { populate: ['conversation'] });
    expect(messages.map((m) => m.conversation.contact.id).sort()).toEqual(tagged.map((c) => c.id).sort());
    expect(await broadcastProgress(db.em(), res.broadcastId)).toMatchObject({ state: 'finished', queued: 6 });
  });

  it("R33: a user outside the group cannot broadcast from its number; another group's number cannot be used", async () => {
    const { tag } = await audience(1);
    await expect(
      createBroadcast(ctxAt(db), userActor(ws.carol.id), {
        groupId: ws.group.id,
        endpointId: ws.sms.id,
        text: 'x',
        target: { tag },
      }),
    ).rejects.toMatchObject({ code: 'forbidden', details: { rule: 'R33' } });
    await expect(
      createBroadcast(ctxAt(db), bob(), {
        groupId: ws.group.id,
        endpointId: ws.salesWhatsapp.id,
        text: 'x',
        target: { tag },
      }),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});
