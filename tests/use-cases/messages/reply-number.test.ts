import { beforeAll, describe, expect, it } from 'vitest';
import { ChannelEndpoint, Message } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { ctxAt, customerWrites } from './support.ts';

// A group with two WhatsApp numbers: found by mutation testing (npm run mutation:use-cases), where
// replying from the group's first number instead of the conversation's went unnoticed.
const db = await createTestDb();
let ws: Workspace;
let second: ChannelEndpoint;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  const em = db.em();
  second = em.create(ChannelEndpoint, {
    account: ws.account,
    group: ws.group.id,
    channel: 'whatsapp',
    address: 'PNID_SUPPORT_2',
    name: 'Support WhatsApp 2',
  });
  await em.flush();
});

describe('replying from the right number', () => {
  it("R3: a reply goes out from the group's number the customer wrote to, not the group's first one", async () => {
    const { phone } = await seedContact(db.em(), ws.account);
    const inbound = await customerWrites(db, { from: phone, endpointAddress: 'PNID_SUPPORT_2', text: 'Hi' });
    const res = await sendReply(ctxAt(db), userActor(ws.alice.id), {
      conversationId: inbound.conversationId,
      text: 'Hello from number two',
    });
    const reply = await db.em().findOneOrFail(Message, res.messageId);
    expect(reply.endpoint?.id).toBe(second.id);
  });
});
