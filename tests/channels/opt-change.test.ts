import { beforeAll, describe, expect, it } from 'vitest';
import { Contact, Message } from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { receiveInbound } from '../../src/use-cases/receive-inbound.ts';
import { recordOptChange } from '../../src/use-cases/record-opt-change.ts';
import { sendReply } from '../../src/use-cases/send-reply.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});
const sms = { kind: 'provider', channel: 'sms' } as const;

describe('SMS opt-out', () => {
  it('R7: after STOP a reply by SMS is refused with the reason; START allows it again', async () => {
    const from = '+15550004444';
    const stop = await receiveInbound({ em: db.em() }, sms, {
      channel: 'sms',
      endpointAddress: '+15550001111',
      from: { address: from, identified: true },
      provider: 'twilio',
      providerMessageId: 'SM-stop-1',
      text: 'STOP',
      meta: { optKeyword: 'STOP' },
    });
    const out = await recordOptChange({ em: db.em() }, sms, {
      channel: 'sms',
      endpointAddress: '+15550001111',
      address: from,
      optedOut: true,
      keyword: 'STOP',
    });
    expect(out.optedOutChannels).toEqual(['sms']);
    await expect(
      sendReply({ em: db.em() }, userActor(ws.alice.id), {
        conversationId: stop.conversationId,
        text: 'Sorry to see you go',
      }),
    ).rejects.toMatchObject({ code: 'channel_refused', details: { rule: 'R7' } });

    await recordOptChange({ em: db.em() }, sms, {
      channel: 'sms',
      endpointAddress: '+15550001111',
      address: from,
      optedOut: false,
      keyword: 'START',
    });
    const contact = await db.em().findOneOrFail(Contact, out.contactId!);
    expect(contact.optedOutChannels).toEqual([]);
    const reply = await sendReply({ em: db.em() }, userActor(ws.alice.id), {
      conversationId: stop.conversationId,
      text: 'Welcome back',
    });
    // Queued for delivery by SMS.
    const sent = await db.em().findOneOrFail(Message, reply.messageId);
    expect([sent.kind, sent.channel, sent.text, sent.deliveryState]).toEqual([
      'reply',
      'sms',
      'Welcome back',
      'queued',
    ]);
  });

  it('only the channel provider can report an opt-out', async () => {
    await expect(
      recordOptChange(
        { em: db.em() },
        { kind: 'provider', channel: 'whatsapp' },
        {
          channel: 'sms',
          endpointAddress: '+15550001111',
          address: '+1555',
          optedOut: true,
          keyword: 'STOP',
        },
      ),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });
});
