import { describe, expect, it } from 'vitest';
import { Contact, Conversation } from '../../src/db/entities/index.ts';
import { seedContact } from '../support/fixtures.ts';
import { setupCli } from '../support/setup-cli.ts';
import { createTestDb } from '../support/test-db.ts';
import { workspace } from '../use-cases/management/support.ts';
import { customerWrites } from '../use-cases/messages/support.ts';

/** R43: `parley contacts merge <keep> <merge>`, contacts named by identity or id. */
const db = await createTestDb();
const ws = await workspace(db);
const parley = setupCli(db);

describe('parley contacts merge', () => {
  it('R43: merges by identity, says what moved and which conversation was closed for which; an unknown contact exits 1', async () => {
    const { contact: keep, phone: keepPhone } = await seedContact(db.em(), ws.account, { name: 'Kim' });
    const { contact: gone, phone: gonePhone } = await seedContact(db.em(), ws.account, { name: 'K.' });
    const older = await customerWrites(db, {
      from: keepPhone,
      text: 'one',
      at: new Date(Date.now() - 60_000),
    });
    const latest = await customerWrites(db, { from: gonePhone, text: 'two' });
    const em = db.em().fork();
    const [a, b] = [
      await em.findOneOrFail(Conversation, { id: older.conversationId }),
      await em.findOneOrFail(Conversation, { id: latest.conversationId }),
    ];
    const out = await parley('contacts', 'merge', `sms:${keepPhone}`, gone.id);
    expect(out.exitCode).toBe(0);
    expect(out.out.split('\n')).toEqual([
      `Merged K. into Kim (${keep.id}): 1 conversation moved`,
      `  closed #${a.number}: it goes on in #${b.number}`,
    ]);
    expect(await db.em().fork().count(Contact, { id: gone.id })).toBe(0);
    const unknown = await parley('contacts', 'merge', 'sms:+15550000000', keep.id);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.err).toContain('No contact is sms:+15550000000');
  });
});
