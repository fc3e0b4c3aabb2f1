import { describe, expect, it } from 'vitest';
import { teamsSurfaceModule } from '../../../adapters/surfaces/teams/index.ts';
import { loadConfig } from '../../../src/config.ts';
import { fakeTeams } from '../../support/fake-teams.ts';
import {
  fakeTeamsAuth,
  SERVICE_URL,
  TEAMS_APP_ID,
  TEAMS_ENV,
  TEAMS_TENANT_ID,
} from '../../support/fake-teams-auth.ts';
import { useMsw } from '../../support/msw.ts';
import { runningParley } from '../../support/running-parley.ts';
import { createTestDb } from '../../support/test-db.ts';

/**
 * Issue 10, "SDK and hosting" (R33): the Teams row of the surface table, built from the TEAMS_*
 * variables alone, as Parley runs (createServices and the real app): a signed activity at
 * POST /teams/messages goes through the SDK's token check to the inbound handlers, whose answer
 * reaches Teams through the Bot Connector with a token from the token endpoint.
 */
const db = await createTestDb();
const auth = fakeTeamsAuth();
const teams = fakeTeams({ appId: TEAMS_APP_ID, tenantId: TEAMS_TENANT_ID });
useMsw(...auth.handlers, ...teams.handlers);
const parley = runningParley(db, { env: TEAMS_ENV, channelModules: [], workers: false });

describe('the Teams surface module', () => {
  it('is off without TEAMS_* and on with them', async () => {
    const deps = {} as Parameters<typeof teamsSurfaceModule.create>[1];
    expect(teamsSurfaceModule.create(loadConfig({}), deps)).toBeNull();
    expect(parley.services.surfaces.get('teams')?.name).toBe('teams');
  });

  it('answers a person Parley does not know, in their personal chat, through the Bot Connector', async () => {
    const zoe = teams.addUser({ name: 'Zoe Stranger' });
    const before = auth.tokenRequests.length;
    const res = await parley.app.request(
      '/teams/messages',
      auth.signedActivityRequest({
        type: 'message',
        id: '1733300000001',
        serviceUrl: SERVICE_URL,
        channelId: 'msteams',
        timestamp: new Date().toISOString(),
        from: { id: zoe.id, name: zoe.name, aadObjectId: zoe.aadObjectId },
        recipient: { id: teams.botId, name: 'Parley' },
        conversation: {
          id: '19:general0channel@thread.tacv2;messageid=1733300000000',
          conversationType: 'channel',
          tenantId: TEAMS_TENANT_ID,
        },
        channelData: {
          tenant: { id: TEAMS_TENANT_ID },
          team: { id: '19:general0channel@thread.tacv2' },
          channel: { id: '19:general0channel@thread.tacv2' },
        },
        text: '<at>Parley</at> help',
        textFormat: 'xml',
        entities: [
          { type: 'mention', text: '<at>Parley</at>', mentioned: { id: teams.botId, name: 'Parley' } },
        ],
      }),
    );
    expect(res.status).toBe(200);
    const told = teams.chatWith(zoe.aadObjectId);
    expect(told).toHaveLength(1);
    expect(JSON.stringify(told[0])).toMatch(/link/i);
    expect(auth.tokenRequests.length - before).toBe(1);
  });

  it('refuses an unsigned request at the same endpoint', async () => {
    const res = await parley.app.request('/teams/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', id: '1', serviceUrl: SERVICE_URL, conversation: { id: 'x' } }),
    });
    expect(res.status).toBe(401);
  });
});
