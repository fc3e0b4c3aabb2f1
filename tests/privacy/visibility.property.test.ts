import fc from 'fast-check';
import { describe, it } from 'vitest';
import { createTestDb } from '../support/test-db.ts';
import { apiCommands } from './privacy-api-commands.ts';
import { privacyCommands } from './privacy-commands.ts';
import { seedRun } from './privacy-run.ts';
import { privacyWorld } from './privacy-world.ts';

const db = await createTestDb();
const world = privacyWorld(db);

/** More runs on demand: PRIVACY_RUNS=200 npx vitest run tests/privacy (a failure prints its seed and path). */
const runs = Number(process.env.PRIVACY_RUNS ?? 12);
const seed = process.env.PRIVACY_SEED ? Number(process.env.PRIVACY_SEED) : undefined;

describe('privacy over time (R17, R18, R19, R31, R34, R35)', () => {
  it('R34: after every step of a random sequence — inbound, replies, new, restrict, lift, close, reopen, assign, group membership, deactivation, role, relink, contact defaults, notes, close, reopen and assign through the admin API — every surface (the admin API’s list and detail included) shows each user exactly what they may see now', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.commands([...privacyCommands, ...apiCommands], { maxCommands: 14 }),
        async (cmds) => {
          await fc.asyncModelRun(() => seedRun(db, world), cmds);
        },
      ),
      { numRuns: runs, seed },
    );
  }, 300_000);
});
