import { beforeAll, describe, expect, it } from 'vitest';
import { Message } from '../../../src/db/entities/index.ts';
import { conversationWithQueuedReply } from '../../support/conversations.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { whatsappHarness } from './harness.ts';
import { wamid as newWamid, status, unixNow, webhook } from './payloads.ts';

const db = await createTestDb();
const wa = whatsappHarness(db);
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});
const load = (id: string) => db.em().findOneOrFail(Message, id);

/** A reply that went out through the Graph fake; returns our id and Meta's wamid. */
async function sentReply() {
  const { reply } = await conversationWithQueuedReply(db.em(), ws);
  expect((await wa.deliver(reply.id)).outcome).toBe('sent');
  return { id: reply.id, wamid: wa.graph.sent.at(-1)!.wamid };
}

describe('status callbacks', () => {
  it('R29: sent, delivered and read move the reply forward', async () => {
    const { id, wamid } = await sentReply();
    expect((await wa.post(status(wamid, 'delivered', { callback: id }))).status).toBe(200);
    expect((await load(id)).deliveryState).toBe('delivered');
    expect((await wa.post(status(wamid, 'read', { callback: id }))).status).toBe(200);
    expect((await load(id)).deliveryState).toBe('read');
  });

  it('read arriving before delivered (and a late sent) ends at read', async () => {
    const { id, wamid } = await sentReply();
    await wa.post(status(wamid, 'read', { callback: id, timestamp: unixNow(5) }));
    await wa.post(status(wamid, 'delivered', { callback: id, timestamp: unixNow(2) }));
    await wa.post(status(wamid, 'sent', { callback: id, timestamp: unixNow(1) }));
    expect((await load(id)).deliveryState).toBe('read');
  });

  it('read and delivered in one webhook, in the wrong order, end at read', async () => {
    const { id, wamid } = await sentReply();
    const statusOf = (state: string) =>
      status(wamid, state, { callback: id }).entry[0]!.changes[0]!.value.statuses![0]!;
    const res = await wa.post(webhook({ statuses: [statusOf('read'), statusOf('delivered')] }));
    expect(await res.json()).toMatchObject({ statuses: 2 });
    expect((await load(id)).deliveryState).toBe('read');
  });

  it("R29: a failed status stores Meta's code and reason where the user sees it", async () => {
    const { id, wamid } = await sentReply();
    const res = await wa.post(
      status(wamid, 'failed', {
        callback: id,
        error: {
          code: 131026,
          title: 'Message undeliverable',
          details:
            'Unable to deliver message. Reasons can include: the recipient phone number is not a WhatsApp phone number.',
        },
      }),
    );
    expect(res.status).toBe(200);
    const m = await load(id);
    expect(m.deliveryState).toBe('failed');
    expect(m.deliveryReason).toMatch(
      /could not deliver the message.*WhatsApp error 131026: Message undeliverable: Unable to deliver/,
    );
  });

  it('a failure reported after the customer read the message does not undo it', async () => {
    const { id, wamid } = await sentReply();
    await wa.post(status(wamid, 'read', { callback: id }));
    await wa.post(
      status(wamid, 'failed', { callback: id, error: { code: 131000, title: 'Something went wrong' } }),
    );
    expect((await load(id)).deliveryState).toBe('read');
  });

  it('a repeated status changes nothing and is still acknowledged', async () => {
    const { id, wamid } = await sentReply();
    const payload = status(wamid, 'delivered', { callback: id });
    expect((await wa.post(payload)).status).toBe(200);
    const first = await load(id);
    expect((await wa.post(payload)).status).toBe(200);
    expect((await load(id)).deliveryUpdatedAt).toEqual(first.deliveryUpdatedAt);
  });

  it('a status for a message Parley never sent (another app on the number) is acknowledged and changes nothing', async () => {
    const before = await db.em().count(Message, { deliveryState: 'delivered' });
    const res = await wa.post(status(newWamid(), 'delivered', { callback: 'campaign-42' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ statuses: 0, unmatchedStatuses: 1 });
    expect(await db.em().count(Message, { deliveryState: 'delivered' })).toBe(before);
  });
});
