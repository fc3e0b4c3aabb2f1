import { beforeAll, describe, expect, it } from 'vitest';
import { ChannelEndpoint, Message } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { startConversation } from '../../../src/use-cases/start-conversation.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { randomWaId, whatsappHarness } from './harness.ts';
import { inbound, unixNow, wamid } from './payloads.ts';

const db = await createTestDb();
const wa = whatsappHarness(db);
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(
    ChannelEndpoint,
    { id: ws.whatsapp.id },
    {
      settings: { templates: [{ name: 'follow_up', language: 'en', parameters: ['name'] }] },
    },
  );
});
const HOUR = 3600;
const alice = () => userActor(ws.alice.id);

/** A customer who last wrote on WhatsApp `hoursAgo` hours ago (Meta's timestamp), in its conversation. */
async function customerWhoWrote(hoursAgo: number) {
  const id = wamid();
  await wa.post(
    inbound({ waId: randomWaId() }, 'text', { body: 'Hello?' }, { id, timestamp: unixNow(-hoursAgo * HOUR) }),
  );
  return (await wa.byProviderId(id)).conversation;
}
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
};

describe('R7: the WhatsApp 24-hour customer-service window, end to end', () => {
  it('R7: a free-form reply 23 hours after the customer wrote is sent', async () => {
    const conv = await customerWhoWrote(23);
    const r = await sendReply({ em: db.em() }, alice(), {
      conversationId: conv.id,
      text: 'Still here to help',
    });
    expect((await wa.deliver(r.messageId)).outcome).toBe('sent');
    expect(wa.graph.sent[0]!.body.type).toBe('text');
  });

  it('R7: a free-form reply 25 hours after the customer wrote is refused with a reason naming the template way in', async () => {
    const conv = await customerWhoWrote(25);
    const before = await db.em().count(Message, { conversation: conv.id });
    const e = await refusal(
      sendReply({ em: db.em() }, alice(), { conversationId: conv.id, text: 'Are you there?' }),
    );
    expect(e.code).toBe('channel_refused');
    expect(e.details).toMatchObject({ rule: 'R7', reason: 'window_closed' });
    expect(e.message).toMatch(
      /has not written on WhatsApp in the last 24 hours.*Send a template message instead/,
    );
    expect(await db.em().count(Message, { conversation: conv.id })).toBe(before);
    expect(wa.graph.received).toEqual([]);
  });

  it('R7: a template reply outside the window goes out as a WhatsApp template', async () => {
    const conv = await customerWhoWrote(30);
    const r = await sendReply({ em: db.em() }, alice(), {
      conversationId: conv.id,
      template: { name: 'follow_up', language: 'en', parameters: ['Dana'] },
    });
    expect((await wa.deliver(r.messageId)).outcome).toBe('sent');
    expect(wa.graph.sent[0]!.body).toMatchObject({
      type: 'template',
      template: { name: 'follow_up', language: { code: 'en' } },
    });
  });

  it('R7: starting a WhatsApp conversation with a contact who never wrote needs a template', async () => {
    const { contact } = await seedContact(db.em(), ws.account, { name: 'Nora New' });
    const e = await refusal(
      startConversation({ em: db.em() }, alice(), {
        groupId: ws.group.id,
        contactId: contact.id,
        channel: 'whatsapp',
        text: 'Hi Nora',
      }),
    );
    expect(e.details).toMatchObject({ rule: 'R7', reason: 'window_closed' });
    expect(e.message).toMatch(/^Nora New has not written on WhatsApp/);
    const ok = await startConversation({ em: db.em() }, alice(), {
      groupId: ws.group.id,
      contactId: contact.id,
      channel: 'whatsapp',
      template: { name: 'follow_up', language: 'en', parameters: ['Nora'] },
    });
    expect((await wa.deliver(ok.messageId)).outcome).toBe('sent');
    expect(wa.graph.sent).toHaveLength(1);
  });

  it('R7: a reply queued inside the window but delivered after it closed fails with the reason, and Meta is never called', async () => {
    const conv = await customerWhoWrote(1);
    const r = await sendReply({ em: db.em() }, alice(), {
      conversationId: conv.id,
      text: 'Sorry for the wait',
    });
    const later = new Date(Date.now() + 24 * HOUR * 1000);
    expect(await wa.deliver(r.messageId, later)).toMatchObject({ outcome: 'failed' });
    const m = await db.em().findOneOrFail(Message, r.messageId);
    expect(m.deliveryState).toBe('failed');
    expect(m.deliveryReason).toMatch(/last 24 hours.*template/);
    expect(wa.graph.received).toEqual([]);
  });
});
