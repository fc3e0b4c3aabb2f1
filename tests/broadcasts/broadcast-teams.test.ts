import { beforeAll, describe, expect, it } from 'vitest';
import { Broadcast, Contact, Message } from '../../src/db/entities/index.ts';
import { systemActor, userActor } from '../../src/domain/actor.ts';
import { createBroadcast } from '../../src/use-cases/create-broadcast.ts';
import { sendBroadcastBatch } from '../../src/use-cases/send-broadcast-batch.ts';
import { showBroadcastProgress } from '../../src/use-cases/show-broadcast-progress.ts';
import { updateDelivery } from '../../src/use-cases/update-delivery.ts';
import { teamsSurfaceHarness } from '../adapters/teams/surface-harness.ts';
import type { TeamsUser } from '../support/fake-teams.ts';
import { seedContact, seedWorkspace, type Workspace } from '../support/fixtures.ts';

/**
 * R8 on Teams: a broadcast's progress is one card in its creator's personal chat with the app,
 * sent once and updated in place (the Bot Connector fake, real PostgreSQL and Redis).
 */
const h = await teamsSurfaceHarness();
const { teams, surface } = h;
let ws: Workspace;
let bob: TeamsUser;
const surfaces = () => new Map([['teams', surface]]);

beforeAll(async () => {
  const em = h.db.em();
  ws = await seedWorkspace(em);
  bob = teams.addUser({ name: 'Bob' });
  em.merge(ws.bob).teamsUserId = bob.aadObjectId;
  await em.flush();
});

describe('broadcast progress in Teams', () => {
  it('R8: the creator gets one progress card, updated in place as batches go and receipts arrive, with the reasons', async () => {
    const em = h.db.em();
    for (let i = 0; i < 2; i++) await seedContact(em, ws.account, { name: `Reader ${i}`, tags: ['readers'] });
    const stopped = await seedContact(em, ws.account, { name: 'Stopped Reader', tags: ['readers'] });
    await em.nativeUpdate(Contact, { id: stopped.contact.id }, { optedOutChannels: ['sms'] });
    const created = await createBroadcast({ em: h.db.em() }, userActor(ws.bob.id), {
      groupId: ws.group.id,
      endpointId: ws.sms.id,
      text: 'New issue out',
      target: { tag: 'readers' },
    });

    expect(await showBroadcastProgress({ em: h.db.em(), surfaces: surfaces() }, created.broadcastId)).toEqual(
      {
        outcome: 'shown',
        followAgain: true,
      },
    );
    const [card] = teams.chatWith(bob.aadObjectId);
    expect(teams.visible(card!)).toContain('Broadcast being sent');
    expect(teams.visible(card!)).toContain('3 recipients · 2 queued · 0 sent');
    expect(teams.visible(card!)).toMatch(/1 left out: .*opted out of SMS/);

    // Nothing changed: not drawn again.
    expect(
      (await showBroadcastProgress({ em: h.db.em(), surfaces: surfaces() }, created.broadcastId)).outcome,
    ).toBe('unchanged');

    for (let i = 0; i < 5; i++)
      if ((await sendBroadcastBatch({ em: h.db.em() }, created.broadcastId)).outcome !== 'sent') break;
    const messages = await h.db.em().find(Message, { meta: { broadcastId: created.broadcastId } });
    for (const m of messages)
      await updateDelivery({ em: h.db.em() }, systemActor, { messageId: m.id, state: 'delivered' });
    expect(
      (await showBroadcastProgress({ em: h.db.em(), surfaces: surfaces() }, created.broadcastId)).outcome,
    ).toBe('shown');

    // Still one card, now updated in place.
    expect(teams.chatWith(bob.aadObjectId)).toHaveLength(1);
    const ref = (await h.db.em().findOneOrFail(Broadcast, created.broadcastId)).progressPosts.teams!;
    const updated = teams.activity(String(ref.conversation), String(ref.activityId))!;
    expect(updated.updates).toBe(1);
    expect(teams.visible(updated)).toContain('Broadcast finished');
    expect(teams.visible(updated)).toContain('0 queued · 0 sent · 2 delivered · 0 failed · 1 left out');
  });
});
