import { describe, expect, it } from 'vitest';
import { pendingSchemaChanges } from '../../src/cli/migrations.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();

describe('schema', () => {
  it('the committed migrations produce exactly the schema the entities describe', async () => {
    expect(await pendingSchemaChanges(db.url)).toEqual([]);
  });
});
