import { beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../../src/db/entities/index.ts';
import { inbound } from '../../adapters/whatsapp/payloads.ts';
import { seedWorkspace } from '../../support/fixtures.ts';
import { settled } from '../../support/settled.ts';
import { eventually, slackHarness } from '../../support/slack-app.ts';
import { createTestDb } from '../../support/test-db.ts';

const db = await createTestDb();
const h = slackHarness(db);

let ws: Awaited<ReturnType<typeof seedWorkspace>>;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.bob.id }, { slackUserId: 'U_BOB' });
  await db.em().nativeUpdate(User, { id: ws.carol.id }, { slackUserId: 'U_CAROL' });
});

const homeOf = (user: string) => JSON.stringify(h.slack.homes.get(user) ?? null);

// The test waits for the queues to settle before it looks for what must not have happened.
describe('App Home (R26, R32)', { timeout: 30_000 }, () => {
  it('R32: an open App Home is redrawn within seconds when a conversation of the group changes, and only for its group', async () => {
    for (const user of ['U_BOB', 'U_CAROL']) {
      const res = await h.event({ type: 'app_home_opened', user, tab: 'home', channel: `D_${user}` });
      expect(res.status).toBe(200);
    }
    await eventually(() => h.slack.homes.has('U_BOB') && h.slack.homes.has('U_CAROL'));
    expect(homeOf('U_BOB')).not.toContain('Hannah');

    await h.whatsappWebhook(
      inbound({ waId: '15550600001', name: 'Hannah' }, 'text', { body: 'Is the shop open?' }),
    );
    // Bob's Team inbox now lists the new conversation, with its unreplied message.
    await eventually(() => homeOf('U_BOB').includes('Hannah'));
    expect(homeOf('U_BOB')).toContain('1 unreplied');
    // Carol is in another group: her home never shows it, once every redraw has run.
    await settled(h.services);
    expect(h.slack.homes.has('U_CAROL')).toBe(true);
    expect(homeOf('U_CAROL')).not.toContain('Hannah');
  });

  it('R32/R34: a member deactivated after looking gets no redraw: later conversations never reach their App Home', async () => {
    const em = db.em();
    await em.nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
    for (const user of ['U_ALICE', 'U_BOB']) {
      const res = await h.event({ type: 'app_home_opened', user, tab: 'home', channel: `D_${user}` });
      expect(res.status).toBe(200);
    }
    await settled(h.services);
    expect(h.slack.homes.has('U_ALICE')).toBe(true);
    await em.nativeUpdate(User, { id: ws.alice.id }, { active: false });
    const alicePublishes = () =>
      h.slack.callsOf('views.publish').filter((c) => c.args.user_id === 'U_ALICE').length;
    const before = alicePublishes();

    await h.whatsappWebhook(inbound({ waId: '15550600002', name: 'Ivo' }, 'text', { body: 'Hello?' }));
    await eventually(() => homeOf('U_BOB').includes('Ivo'));
    await settled(h.services);
    expect(alicePublishes()).toBe(before);
    expect(homeOf('U_ALICE')).not.toContain('Ivo');
  });
});
