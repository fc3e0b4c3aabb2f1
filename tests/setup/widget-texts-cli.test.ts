import { describe, expect, it } from 'vitest';
import { ChannelEndpoint } from '../../src/db/entities/index.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { setupCli } from '../support/setup-cli.ts';
import { createTestDb } from '../support/test-db.ts';

/** Issue 15: the webchat widget's texts from the CLI, checked as the admin API checks them. */
const db = await createTestDb();
const parley = setupCli(db);
await seedWorkspace(db.em());
const stringsOf = async () =>
  (
    (await db.em().fork().findOneOrFail(ChannelEndpoint, { address: 'wid_support' })).settings as {
      strings?: Record<string, Record<string, string>>;
    }
  ).strings;

describe('parley endpoints texts (the webchat widget’s languages)', () => {
  it('shows the texts in effect, sets and unsets one, and refuses a key the widget does not have', async () => {
    const shown = await parley('endpoints', 'texts', 'wid_support', '--lang', 'de');
    expect(shown.exitCode, shown.err).toBe(0);
    expect(shown.out).toMatch(/title\s+Schreiben Sie uns\s+shipped/);

    const set = await parley(
      'endpoints',
      'texts',
      'wid_support',
      '--lang',
      'de',
      '--set',
      'title=Hallo von Acme',
    );
    expect(set.exitCode, set.err).toBe(0);
    expect(set.out).toMatch(/title\s+Hallo von Acme\s+this widget/);
    expect(await stringsOf()).toEqual({ de: { title: 'Hallo von Acme' } });

    const fr = await parley(
      'endpoints',
      'texts',
      'wid_support',
      '--lang',
      'fr',
      '--set',
      'title=Écrivez-nous',
    );
    expect(fr.out).toMatch(/send\s+Send\s+English/);

    const typo = await parley('endpoints', 'texts', 'wid_support', '--lang', 'de', '--set', 'titel=Hallo');
    expect(typo.exitCode).not.toBe(0);
    expect(typo.err).toContain('titel');

    await parley('endpoints', 'texts', 'wid_support', '--lang', 'de', '--unset', 'title');
    expect(await stringsOf()).toEqual({ fr: { title: 'Écrivez-nous' } });
    const unknown = await parley('endpoints', 'texts', 'wid_nowhere');
    expect(unknown.err).toContain('There is no webchat widget "wid_nowhere"');
  });
});
