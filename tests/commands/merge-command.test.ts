import { describe, expect, it } from 'vitest';
import { isParseError, parseCommand } from '../../src/commands/parse-command.ts';
import { runCommand } from '../../src/commands/run-command.ts';
import { Contact } from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { seedContact } from '../support/fixtures.ts';
import { createTestDb } from '../support/test-db.ts';
import { openConv, reload, workspace } from '../use-cases/management/support.ts';

/** R43 in the shared chat grammar (Slack's `/parley`, Teams' `@Parley`): `merge <contact> into <contact>`. */
const db = await createTestDb();
const ws = await workspace(db);

async function say(userId: string, text: string): Promise<string> {
  const command = parseCommand(text);
  if (isParseError(command)) return command.message;
  try {
    const result = await runCommand({ em: db.em() }, { command, actor: userActor(userId), surface: 'slack' });
    return result.kind === 'message' ? result.text : result.kind;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('merge (R43, R30)', () => {
  it('R43: an admin merges a contact named by phone into one named by name; the conversation moves; an agent is refused', async () => {
    const { contact: dana, phone } = await seedContact(db.em(), ws.account, { name: 'Dana Merge' });
    const { contact: other, phone: otherPhone } = await seedContact(db.em(), ws.account, { name: 'Dee' });
    const conv = await openConv(db, ws, { contactId: other.id });
    expect(await say(ws.alice.id, `merge ${otherPhone} into "Dana Merge"`)).toBe(
      'Only an admin can merge contacts.',
    );
    expect(await say(ws.admin.id, `merge ${otherPhone} into "Dana Merge"`)).toBe(
      'Merged Dee into Dana Merge: 1 conversation moved.',
    );
    expect((await reload(db, conv.id)).contact.id).toBe(dana.id);
    expect(await db.em().fork().count(Contact, { id: other.id })).toBe(0);
    expect(await say(ws.admin.id, `merge ${phone}`)).toContain('`into`');
  });
});
