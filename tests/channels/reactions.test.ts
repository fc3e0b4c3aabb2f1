import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation } from '../../src/db/entities/index.ts';
import { receiveInbound } from '../../src/use-cases/receive-inbound.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
beforeAll(async () => {
  await seedWorkspace(db.em());
});
const wa = { kind: 'provider', channel: 'whatsapp' } as const;
const inbound = (id: string, text: string, meta?: Record<string, unknown>) =>
  receiveInbound({ em: db.em() }, wa, {
    channel: 'whatsapp',
    endpointAddress: 'PNID_SUPPORT',
    from: { address: '+15550007777', identified: true },
    provider: 'whatsapp',
    providerMessageId: id,
    text,
    meta,
  });

describe('reactions', () => {
  it('R11: a customer reaction is shown but does not wait for a reply', async () => {
    const q = await inbound('wamid.q', 'Is it in stock?');
    await inbound('wamid.r', 'Reacted 👍 to a message', { reaction: { emoji: '👍', messageId: 'wamid.x' } });
    const conv = await db.em().findOneOrFail(Conversation, q.conversationId);
    expect(conv.lastSeq).toBe(2);
    expect(conv.unrepliedCount).toBe(1);
  });
});
