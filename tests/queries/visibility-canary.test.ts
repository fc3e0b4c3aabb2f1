import { describe, expect, it } from 'vitest';
import type { Viewer } from '../../src/domain/actor.ts';
import { conversationDetail } from '../../src/queries/conversation-detail.ts';
import { dashboardTiles, type TileKey, tileList } from '../../src/queries/dashboard-tiles.ts';
import { inboxBadges } from '../../src/queries/inbox-badges.ts';
import { myInbox } from '../../src/queries/my-inbox.ts';
import { searchConversations } from '../../src/queries/search-conversations.ts';
import { teamInbox } from '../../src/queries/team-inbox.ts';
import { createTestDb } from '../support/test-db.ts';
import { clock, seedConversation, workspace } from './support.ts';

/**
 * R17 canary: a secret in a restricted conversation (customer text, a note, the contact's name)
 * must not come back from any read query run by a user who is not on its list.
 */
const db = await createTestDb();
const { ws, viewers } = await workspace(db);
const now = clock();
const SECRET_TEXT = 'canarytext4711';
const SECRET_NOTE = 'canarynote4711';
const SECRET_NAME = 'Canaryname Zebulon';

const secret = await seedConversation(db, ws, now, {
  contactName: SECRET_NAME,
  visibleTo: [ws.alice],
  assignees: [ws.alice],
  messages: [
    { kind: 'inbound', text: `my account number is ${SECRET_TEXT}` },
    { kind: 'note', text: `internal: ${SECRET_NOTE}`, author: ws.alice },
    { kind: 'inbound', text: 'still waiting' },
  ],
});
await seedConversation(db, ws, now, {
  contactName: 'Public Paula',
  messages: [{ kind: 'inbound', text: 'hello' }],
});

const TILES: TileKey[] = ['assignedToMe', 'myUnreplied', 'unassigned', 'unreplied'];

/** Everything a viewer can read through src/queries, as one string. */
async function everythingSeenBy(viewer: Viewer) {
  const em = db.em();
  const results: unknown[] = [
    await teamInbox(em, viewer, { status: 'all' }),
    await myInbox(em, viewer, { status: 'all' }),
    await searchConversations(em, viewer, { status: 'all' }),
    await searchConversations(em, viewer, { text: SECRET_TEXT }),
    await searchConversations(em, viewer, { text: SECRET_NOTE }),
    await searchConversations(em, viewer, { contactName: 'Canaryname' }),
    await searchConversations(em, viewer, { contactId: secret.contact.id }),
    await searchConversations(em, viewer, { unreplied: true }),
    await dashboardTiles(em, viewer),
    await inboxBadges(em, viewer),
  ];
  for (const tile of TILES) results.push(await tileList(em, viewer, tile));
  for (const ref of [{ id: secret.id }, { number: secret.number }]) {
    results.push(
      await conversationDetail(em, viewer, ref).catch((e) => ({ message: e.message, details: e.details })),
    );
  }
  return JSON.stringify(results);
}

describe('R17 canary', () => {
  it('R17: a user on the list finds the restricted conversation everywhere (the canary is alive)', async () => {
    const seen = await everythingSeenBy(viewers.alice);
    for (const s of [SECRET_TEXT, SECRET_NOTE, SECRET_NAME, secret.id]) expect(seen).toContain(s);
    expect((await searchConversations(db.em(), viewers.alice, { text: SECRET_TEXT })).items[0]?.id).toBe(
      secret.id,
    );
    expect((await dashboardTiles(db.em(), viewers.alice)).myUnreplied).toBe(2);
  });

  it('R17: group members off the list (an admin included) and other groups never get its content', async () => {
    for (const viewer of [viewers.bob, viewers.admin, viewers.carol]) {
      const seen = await everythingSeenBy(viewer);
      for (const s of [SECRET_TEXT, SECRET_NOTE, SECRET_NAME, 'Canaryname', secret.id, secret.contact.id]) {
        expect(seen, `${viewer.id} saw ${s}`).not.toContain(s);
      }
    }
  });

  it('R17 R26: figures for users off the list leave the restricted conversation out', async () => {
    const bob = await dashboardTiles(db.em(), viewers.bob);
    expect(bob.unreplied).toBe(1);
    const badges = await inboxBadges(db.em(), viewers.bob);
    expect(badges.teamInbox).toEqual({ unreplied: 1, unread: 1 });
  });

  it('R17: opening it as a group member off the list says only that it is restricted; other groups get not found', async () => {
    const bob = await conversationDetail(db.em(), viewers.bob, { id: secret.id }).catch((e) => e);
    expect(bob.code).toBe('forbidden');
    expect(bob.details).toEqual({ rule: 'R17', conversationNumber: secret.number, restricted: true });
    expect(JSON.stringify({ m: bob.message, d: bob.details })).not.toMatch(/canary/i);
    const byNumber = await conversationDetail(db.em(), viewers.bob, { number: secret.number }).catch(
      (e) => e,
    );
    expect(byNumber.code).toBe('forbidden');
    const carol = await conversationDetail(db.em(), viewers.carol, { id: secret.id }).catch((e) => e);
    expect(carol.code).toBe('not_found');
    expect(carol.message).not.toContain(String(secret.number));
  });
});
