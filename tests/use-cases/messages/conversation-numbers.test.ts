import { describe, expect, it } from 'vitest';
import { Account, ChannelEndpoint, Group } from '../../../src/db/entities/index.ts';
import { seedWorkspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { customerWrites, loadConversation, newPhone } from './support.ts';

const db = await createTestDb();

describe('conversation ids and numbers', () => {
  it('R1: two conversations get distinct UUIDs and consecutive human numbers, starting at #1001', async () => {
    await seedWorkspace(db.em());
    const a = await customerWrites(db, { from: newPhone() });
    const b = await customerWrites(db, { from: newPhone() });
    expect(a.conversationId).not.toBe(b.conversationId);
    expect(a.conversationId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const em = db.em();
    const [ca, cb] = [
      await loadConversation(em, a.conversationId),
      await loadConversation(em, b.conversationId),
    ];
    expect([ca.number, cb.number]).toEqual([1001, 1002]);
  });

  it('R1: numbers are per account: a second account starts at #1001 too', async () => {
    const em = db.em();
    const account = em.create(Account, { name: 'Globex' });
    const group = em.create(Group, { account, name: 'Help' });
    em.create(ChannelEndpoint, {
      account,
      group,
      channel: 'whatsapp',
      address: 'PNID_GLOBEX',
      name: 'Globex WhatsApp',
    });
    await em.flush();
    const first = await customerWrites(db, { from: newPhone(), endpointAddress: 'PNID_GLOBEX' });
    const conv = await loadConversation(db.em(), first.conversationId);
    expect(conv.account.id).toBe(account.id);
    expect(conv.number).toBe(1001);
  });
});
