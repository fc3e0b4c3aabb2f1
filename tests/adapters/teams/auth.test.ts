import { describe, expect, it } from 'vitest';
import { teamsCloud } from '../../../adapters/surfaces/teams/cloud.ts';
import { teamsRoutes } from '../../../adapters/surfaces/teams/messages.route.ts';
import type { InboundActivity, TeamsInbound } from '../../../adapters/surfaces/teams/ports.ts';
import { createTeamsHost } from '../../../adapters/surfaces/teams/teams-app.ts';
import { createTeamsTokenSource } from '../../../adapters/surfaces/teams/token.ts';
import { TeamsActivity } from '../../../src/db/entities/index.ts';
import { createLogger } from '../../../src/logger.ts';
import {
  fakeTeamsAuth,
  LOGIN_URL,
  newSigningKey,
  SERVICE_URL,
  TEAMS_APP_ID,
  TEAMS_ENV,
  TEAMS_TENANT_ID,
  type TokenOverrides,
} from '../../support/fake-teams-auth.ts';
import { useMsw } from '../../support/msw.ts';
import { createTestApp } from '../../support/test-app.ts';
import { createTestDb } from '../../support/test-db.ts';

/**
 * Issue 10, "Authentication" (R33: only Teams may act through `/teams/messages`; R35: only the
 * configured tenant): the token corpus, driven through the real Hono app at POST /teams/messages
 * with activities signed as the Bot Framework signs them. Every forged or broken request is
 * refused (401/400/403/413/415), never answered 5xx, and reaches no handler; a valid one reaches
 * the inbound handler exactly once, however often Teams delivers it.
 */
const db = await createTestDb();
const auth = fakeTeamsAuth();
useMsw(...auth.handlers);
const t = createTestApp({ db, modules: [], env: TEAMS_ENV });
const cloud = teamsCloud(t.config);
const logger = createLogger('silent');

const calls: { kind: string; activity: InboundActivity }[] = [];
let failNext = 0;
const inbound: TeamsInbound = {
  async message(a) {
    calls.push({ kind: 'message', activity: a });
    if (failNext > 0) {
      failNext--;
      throw new Error('the handler broke (test)');
    }
  },
  async messageChanged(a, change) {
    calls.push({ kind: change, activity: a });
  },
  async invoke(a) {
    calls.push({ kind: 'invoke', activity: a });
    return {
      status: 200,
      body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Assigned.' },
    };
  },
};
const host = createTeamsHost({
  appId: TEAMS_APP_ID,
  tenantId: TEAMS_TENANT_ID,
  cloud,
  tokens: createTeamsTokenSource({
    appId: TEAMS_APP_ID,
    password: TEAMS_ENV.TEAMS_APP_PASSWORD,
    tenantId: TEAMS_TENANT_ID,
    environment: cloud.environment,
    logger,
  }),
  inbound,
  em: db.em,
  logger,
});
t.app.route('/', teamsRoutes({ handle: host.handle, tokenIssuer: cloud.environment.tokenIssuer }));

let seq = 0;
/** A channel message as Teams sends it, a new activity id each time. */
function activity(over: Record<string, unknown> = {}) {
  seq++;
  return {
    type: 'message',
    id: `17332${String(seq).padStart(8, '0')}`,
    timestamp: new Date().toISOString(),
    serviceUrl: `${SERVICE_URL}/`,
    channelId: 'msteams',
    from: { id: '29:1ada', aadObjectId: 'a0a0a0a0-0000-4000-8000-00000000ada0', name: 'Ada' },
    recipient: { id: `28:${TEAMS_APP_ID}`, name: 'Parley' },
    conversation: {
      id: '19:support@thread.tacv2;messageid=1733200000000',
      conversationType: 'channel',
      tenantId: TEAMS_TENANT_ID,
    },
    channelData: {
      tenant: { id: TEAMS_TENANT_ID },
      team: { id: '19:team@thread.tacv2' },
      channel: { id: '19:support@thread.tacv2' },
    },
    text: 'Thanks, on its way.',
    textFormat: 'plain',
    ...over,
  };
}
const post = (a: ReturnType<typeof activity>, o?: TokenOverrides) =>
  t.app.request('/teams/messages', auth.signedActivityRequest(a, o));
const ran = (id: string) => calls.filter((c) => c.activity.id === id).length;
const now = () => Math.floor(Date.now() / 1000);

describe('POST /teams/messages: the token corpus', () => {
  it('runs a correctly signed activity, once, with its fields', async () => {
    const a = activity();
    const res = await post(a);
    expect(res.status).toBe(200);
    expect(ran(a.id)).toBe(1);
    expect(calls.at(-1)).toMatchObject({
      kind: 'message',
      activity: {
        id: a.id,
        text: a.text,
        conversation: { id: a.conversation.id },
        from: { aadObjectId: a.from.aadObjectId },
      },
    });
  });

  const forged: [string, () => TokenOverrides, number][] = [
    ['alg: none (unsigned)', () => ({ alg: 'none' }), 401],
    ['a wrong audience (another bot)', () => ({ aud: '99999999-9999-4999-8999-999999999999' }), 401],
    ['a wrong issuer', () => ({ iss: 'https://api.botframework.evil.test' }), 401],
    ['an Entra issuer (agentic path, closed)', () => ({ iss: `${LOGIN_URL}/${TEAMS_TENANT_ID}/v2.0` }), 401],
    ['an expired token (beyond the 5-minute skew)', () => ({ exp: now() - 600, nbf: now() - 4200 }), 401],
    ['a token not valid before 10 minutes from now', () => ({ nbf: now() + 600 }), 401],
    ['an unknown key id', () => ({ key: newSigningKey() }), 401],
    [
      'a published key id over a signature by another key',
      () => ({ key: newSigningKey(auth.keys[0]!.kid) }),
      401,
    ],
    [
      'a serviceurl claim for another service URL',
      () => ({ serviceUrl: 'https://smba.evil.test/teams' }),
      401,
    ],
    ['no serviceurl claim', () => ({ serviceUrl: null }), 401],
    ['no Authorization header', () => ({ omitAuthorization: true }), 401],
    ['a body that is not JSON', () => ({ rawBody: '{"type": "message", ' }), 400],
    ['a JSON body that is not an activity', () => ({ rawBody: '[1, 2, 3]' }), 400],
    [
      'an activity without serviceUrl',
      () => ({ rawBody: JSON.stringify({ ...activity(), serviceUrl: undefined }) }),
      400,
    ],
  ];
  it.each(forged)('refuses %s without running anything', async (_name, overrides, status) => {
    const a = activity();
    const res = await post(a, overrides());
    expect(res.status).toBe(status);
    expect(ran(a.id)).toBe(0);
  });

  it('accepts a token within the 5-minute clock skew', async () => {
    const a = activity();
    expect((await post(a, { exp: now() - 60 })).status).toBe(200);
    expect(ran(a.id)).toBe(1);
  });

  it('takes a key published after start-up (key rotation)', async () => {
    const a = activity();
    expect((await post(a, { key: auth.rotateKey() })).status).toBe(200);
    expect(ran(a.id)).toBe(1);
    const b = activity();
    expect((await post(b)).status).toBe(200);
    expect(ran(b.id)).toBe(1);
  });

  it('refuses another content type (415) and a body over BODY_LIMIT_BYTES (413)', async () => {
    const a = activity();
    const req = auth.signedActivityRequest(a);
    const asText = await t.app.request('/teams/messages', {
      ...req,
      headers: { ...req.headers, 'content-type': 'text/plain' },
    });
    expect(asText.status).toBe(415);
    const huge = activity({ text: 'x'.repeat(t.config.BODY_LIMIT_BYTES + 1) });
    expect((await post(huge)).status).toBe(413);
    expect(ran(a.id) + ran(huge.id)).toBe(0);
  });

  it('refuses, with 403, an activity from another tenant, or naming none (the app is single-tenant)', async () => {
    const other = '0f0e0d0c-0b0a-4909-8807-060504030201';
    const a = activity({
      conversation: { id: '19:x@thread.tacv2', conversationType: 'channel', tenantId: other },
      channelData: { tenant: { id: other } },
    });
    expect((await post(a)).status).toBe(403);
    const mixed = activity({ conversation: { ...activity().conversation, tenantId: other } });
    const unnamed = activity({ conversation: { id: '19:x@thread.tacv2' }, channelData: {} });
    expect((await post(mixed)).status).toBe(403);
    expect((await post(unnamed)).status).toBe(403);
    expect(ran(a.id) + ran(mixed.id) + ran(unnamed.id)).toBe(0);
  });
});

describe('POST /teams/messages: each activity runs once', () => {
  it('answers a repeated delivery 200 without running it again, in sequence or at once', async () => {
    const a = activity();
    expect((await post(a)).status).toBe(200);
    expect((await post(a)).status).toBe(200);
    const b = activity();
    const answers = await Promise.all([post(b), post(b), post(b)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect([ran(a.id), ran(b.id)]).toEqual([1, 1]);
  });

  it('keys activities by conversation too: the same id elsewhere runs', async () => {
    const a = activity();
    const b = { ...a, conversation: { ...a.conversation, id: 'a:1personal-chat' } };
    expect((await post(a)).status).toBe(200);
    expect((await post(b)).status).toBe(200);
    expect(calls.filter((c) => c.activity.id === a.id).map((c) => c.activity.conversation.id)).toEqual([
      a.conversation.id,
      'a:1personal-chat',
    ]);
  });

  it('lets the retry run an activity whose handler threw', async () => {
    const a = activity();
    failNext = 1;
    expect((await post(a)).status).toBe(500);
    expect(await db.em().count(TeamsActivity, { activityId: a.id })).toBe(0);
    expect((await post(a)).status).toBe(200);
    expect((await post(a)).status).toBe(200);
    expect(ran(a.id)).toBe(2);
  });

  it('returns an invoke’s answer, and a repeated invoke the shape Teams expects', async () => {
    const a = activity({
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { verb: 'parley.assign_me' } },
    });
    const first = await post(a);
    expect(await first.json()).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'Assigned.',
    });
    const again = await post(a);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
    });
    expect(ran(a.id)).toBe(1);
  });

  it('routes edits and deletions, and takes activities Parley does not use without a claim', async () => {
    const edit = activity({
      type: 'messageUpdate',
      channelData: { ...activity().channelData, eventType: 'editMessage' },
    });
    const del = activity({
      type: 'messageDelete',
      channelData: { ...activity().channelData, eventType: 'softDeleteMessage' },
    });
    const typing = activity({ type: 'typing' });
    for (const a of [edit, del, typing]) expect((await post(a)).status).toBe(200);
    expect(calls.filter((c) => [edit.id, del.id].includes(c.activity.id)).map((c) => c.kind)).toEqual([
      'edited',
      'deleted',
    ]);
    expect(ran(typing.id)).toBe(0);
    expect(await db.em().count(TeamsActivity, { activityId: typing.id })).toBe(0);
  });
});
