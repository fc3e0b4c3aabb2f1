import { describe, expect, it } from 'vitest';
import { SavedReply } from '../../src/db/entities/index.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { setupCli } from '../support/setup-cli.ts';
import { createTestDb } from '../support/test-db.ts';

/** R40: `parley saved-replies list | set | remove`, the team's and (with --user) a user's own. */
const db = await createTestDb();
const ws = await seedWorkspace(db.em());
const parley = setupCli(db);

describe('parley saved-replies', () => {
  it('R40: sets the team’s and a user’s own, changes the text under the same name, lists and removes them', async () => {
    const team = await parley('saved-replies', 'set', 'hours', '--text', 'Open 9–17, {contact.firstName}');
    expect(team.out).toMatch(/^Saved the team's reply hours \([0-9a-f-]{36}\)$/);
    await parley('saved-replies', 'set', 'hours', '--text', 'Alice: 10–16', '--user', ws.alice.email);
    expect((await parley('saved-replies', 'set', 'HOURS', '--text', 'Open 8–18')).out).toBe(
      "Updated the team's saved reply hours",
    );
    const lines = (await parley('saved-replies', 'list')).out.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+OWNER\s+TEXT$/);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^hours\s+team\s+Open 8–18$/)]));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^hours\\s+${ws.alice.email}\\s+Alice: 10–16$`)),
      ]),
    );
    expect((await parley('saved-replies', 'remove', 'hours', '--user', ws.alice.email)).exitCode).toBe(0);
    const left = await db.em().fork().find(SavedReply, {});
    expect(left.map((r) => [r.name, r.owner])).toEqual([['hours', null]]);
  });

  it('R40: refuses an unknown placeholder and a missing reply with exit code 1, and changes nothing', async () => {
    const bad = await parley('saved-replies', 'set', 'oops', '--text', 'Hi {name}');
    expect(bad.exitCode).toBe(1);
    expect(bad.err).toContain('{name} is not a placeholder');
    const missing = await parley('saved-replies', 'remove', 'nothing-here');
    expect([missing.exitCode, missing.err]).toEqual([
      1,
      'error: There is no saved reply "nothing-here" of the team; `parley saved-replies list` shows them.',
    ]);
    expect(await db.em().fork().count(SavedReply, { name: 'oops' })).toBe(0);
  });
});
