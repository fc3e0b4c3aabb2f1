import { describe, expect, it } from 'vitest';
import { Contact } from '../../src/db/entities/index.ts';
import { workspace } from '../queries/support.ts';
import { seedContact } from '../support/fixtures.ts';
import { createTestDb } from '../support/test-db.ts';
import { type ApiError, callAs, expectJson } from './conversations-api-support.ts';
import { sharedRedis, testApp } from './helpers.ts';

/**
 * R16, R19, R34 through the admin API as a named user: `PUT /contacts/{id}/defaults` is checked
 * as that user's own change, exactly as the use-case checks it for anyone.
 */
const db = await createTestDb();
const { app } = testApp(db, sharedRedis(), {});
const { ws } = await workspace(db);
const { contact } = await seedContact(db.em(), ws.account, { name: 'Vera Confidential' });
const put = (as: Parameters<typeof callAs>[1], body: unknown) =>
  callAs(app, as, 'PUT', `/contacts/${contact.id}/defaults`, body);
type Defaults = { contactId: string; defaultAssigneeIds: string[]; defaultVisibleToIds: string[] | null };
const stored = async () => db.em().findOneOrFail(Contact, contact.id);

describe('PUT /contacts/{id}/defaults as a named user', () => {
  it('R19 R34: Bob makes the contact confidential to Alice (and himself); Carol, not on the list, is refused and nothing changes; an admin lifts it', async () => {
    const set = await expectJson<Defaults>(
      await put(ws.bob, { defaultAssigneeIds: [ws.bob.id], defaultVisibleToIds: [ws.alice.id] }),
    );
    expect(set.defaultAssigneeIds).toEqual([ws.bob.id]);
    expect([...(set.defaultVisibleToIds ?? [])].sort()).toEqual([ws.alice.id, ws.bob.id].sort());

    const refused = await expectJson<ApiError>(
      await put(ws.carol, { defaultAssigneeIds: [], defaultVisibleToIds: null }),
      403,
    );
    expect(refused.error.code).toBe('forbidden');
    expect((await stored()).defaultVisibleToIds).not.toBeNull();

    const lifted = await expectJson<Defaults>(
      await put(ws.admin, { defaultAssigneeIds: [], defaultVisibleToIds: null }),
    );
    expect(lifted).toMatchObject({ defaultAssigneeIds: [], defaultVisibleToIds: null });
    expect((await stored()).defaultVisibleToIds).toBeNull();
  });

  it('R33: without a named user, or naming a user of no shared group as assignee, it is refused with the error shape', async () => {
    expect((await put(null, { defaultAssigneeIds: [], defaultVisibleToIds: null })).status).toBe(422);
    const refused = await expectJson<ApiError>(
      await put(ws.bob, { defaultAssigneeIds: [ws.carol.id], defaultVisibleToIds: null }),
      422,
    );
    expect(refused.error.message).toContain('Carol');
  });
});
