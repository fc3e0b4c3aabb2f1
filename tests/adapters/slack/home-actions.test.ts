import { describe, expect, it } from 'vitest';
import {
  isRecentHomeViewer,
  loadHomeFilters,
  saveHomeFilters,
} from '../../../adapters/surfaces/slack/home-filters-store.ts';
import { defaultHomeFilters, type HomeFilters } from '../../../src/queries/home-data.ts';
import { seedWorkspace } from '../../support/fixtures.ts';
import { createTestRedis } from '../../support/redis.ts';
import { createTestDb } from '../../support/test-db.ts';
import { homeClick, homeOpened, interactivityApp, linkSlackUsers } from './interactivity-support.ts';

const db = await createTestDb();
const redis = createTestRedis();
const ws = await seedWorkspace(db.em());
await linkSlackUsers(db, [
  [ws.alice, 'U_ALICE'],
  [ws.bob, 'U_BOB'],
]);
const slack = interactivityApp(db, redis);
const store = { redis: redis.producer, prefix: redis.prefix };
const HOUR = 3600_000;

describe('Slack App Home', () => {
  it('R32: opening the Home tab draws the dashboard and remembers the user as a recent viewer', async () => {
    await slack.send(homeOpened('U_ALICE'));
    expect(slack.homesPublished).toContain(ws.alice.id);
    expect(await isRecentHomeViewer(store, ws.alice.id, HOUR)).toBe(true);
    expect(await isRecentHomeViewer(store, ws.bob.id, HOUR)).toBe(false);
    // A look long ago does not count as recent.
    expect(await isRecentHomeViewer(store, ws.alice.id, HOUR, Date.now() + 2 * HOUR)).toBe(false);
  });

  it('R32: opening the Messages tab draws nothing', async () => {
    const before = slack.homesPublished.length;
    await slack.send(homeOpened('U_BOB', 'messages'));
    expect(slack.homesPublished).toHaveLength(before);
    expect(await isRecentHomeViewer(store, ws.bob.id, HOUR)).toBe(false);
  });

  it('R32: choosing a Team inbox filter keeps it for the user and redraws their Home', async () => {
    const shown = JSON.stringify(defaultHomeFilters);
    const acked = await slack.send(
      homeClick('U_BOB', { action_id: 'home_filter_team', selected: 'unreplied' }, shown),
    );
    expect(acked).toBeUndefined();
    expect(await loadHomeFilters(store, ws.bob.id)).toEqual({
      my: { status: 'open' },
      team: { groupId: null, show: 'unreplied' },
    });
    expect(slack.homesPublished.at(-1)).toBe(ws.bob.id);

    // The next filter starts from the one shown, so both stay.
    const now: HomeFilters = await loadHomeFilters(store, ws.bob.id);
    await slack.send(
      homeClick('U_BOB', { action_id: 'home_filter_group', selected: ws.group.id }, JSON.stringify(now)),
    );
    await slack.send(
      homeClick(
        'U_BOB',
        { action_id: 'home_filter_my', selected: 'closed' },
        JSON.stringify(await loadHomeFilters(store, ws.bob.id)),
      ),
    );
    expect(await loadHomeFilters(store, ws.bob.id)).toEqual({
      my: { status: 'closed' },
      team: { groupId: ws.group.id, show: 'unreplied' },
    });
  });

  it('R26: pressing a tile shows the list behind it', async () => {
    await saveHomeFilters(store, ws.alice.id, {
      my: { status: 'closed' },
      team: { groupId: ws.group.id, show: 'closed' },
    });
    await slack.send(homeClick('U_ALICE', { action_id: 'home_tile', value: 'unassigned' }));
    expect((await loadHomeFilters(store, ws.alice.id)).team).toEqual({ groupId: null, show: 'unassigned' });
    await slack.send(homeClick('U_ALICE', { action_id: 'home_tile', value: 'myUnreplied' }));
    expect((await loadHomeFilters(store, ws.alice.id)).my).toEqual({ status: 'open' });
    expect(slack.homesPublished.at(-1)).toBe(ws.alice.id);
  });

  it('R33: a Slack user not linked to Parley sees how to get linked on their Home, and no dashboard', async () => {
    const before = slack.homesPublished.length;
    await slack.send(homeOpened('U_STRANGER'));
    await slack.send(homeClick('U_STRANGER', { action_id: 'home_filter_team', selected: 'closed' }));
    expect(slack.homesPublished).toHaveLength(before);
    const published = slack.slack.callsOf('views.publish');
    expect(published.map((p) => p.user_id)).toEqual(['U_STRANGER', 'U_STRANGER']);
    expect(JSON.stringify(published[0]!.view)).toContain('/parley link @you your@email');
  });
});
