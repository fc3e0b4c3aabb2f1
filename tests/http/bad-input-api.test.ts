import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { Contact, WebchatSession, WebchatUpload } from '../../src/db/entities/index.ts';
import { sseReader } from '../adapters/webchat/harness.ts';
import { ODD_CHARACTERS } from '../support/bad-input-corpus.ts';
import { createTestDb } from '../support/test-db.ts';
import {
  ADMIN_TOKEN,
  ATTACHMENT_MAX,
  BODY_LIMIT,
  badInputHarness,
  WIDGET,
  WIDGET_SECRET,
} from './bad-input-harness.ts';

/**
 * Issue 5, bad input: the webchat API (sessions, messages, uploads, history, read receipts,
 * files, the live stream) and the admin API against bad tokens, malformed and oversized bodies,
 * replays and odd characters. Every refusal is a 4xx that writes nothing; nothing is a 5xx.
 */
const db = await createTestDb();
const h = badInputHarness(db, { workers: false });
const kept = (s: string) => s.replaceAll('\u0000', '').toWellFormed();
const json = (v: unknown) => JSON.stringify(v);
const exp = () => Math.floor(Date.now() / 1000) + 600;
const userToken = (
  claims: Record<string, unknown>,
  secret = WIDGET_SECRET,
  alg: 'HS256' | 'HS512' = 'HS256',
) => sign({ exp: exp(), ...claims }, secret, alg);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

async function session(claims?: Record<string, unknown>) {
  const userTokenValue = claims ? await userToken(claims) : undefined;
  const res = await h.webchat(
    'POST',
    '/webchat/api/sessions',
    null,
    json({ widget: WIDGET, userToken: userTokenValue }),
  );
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as { token: string; sessionId: string; name: string | null };
}
let n = 0;
const message = (token: string | null, body: unknown, type?: string) =>
  h.webchat('POST', '/webchat/api/messages', token, typeof body === 'string' ? body : json(body), type);
const upload = (token: string | null, file: File | null, field = 'file') => {
  const form = new FormData();
  if (file) form.set(field, file);
  return h.request('/webchat/api/uploads', {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: form,
  });
};

describe('webchat POST /webchat/api/sessions', () => {
  it.each([
    ['a body that is not JSON', 400, '{"widget":'],
    ['a form instead of JSON', 400, 'widget=wid_support', 'application/x-www-form-urlencoded'],
    ['an unknown widget', 404, json({ widget: 'wid_nobody' })],
    ['no widget', 422, json({})],
    ['a user token that is not a JWT', 401, json({ widget: WIDGET, userToken: 'not-a-jwt' })],
    [
      'a user token with alg "none"',
      401,
      json({
        widget: WIDGET,
        userToken: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'c1', exp: exp() })}.`,
      }),
    ],
  ])('%s is refused with %i and writes nothing', async (_, status, body, type = 'application/json') => {
    const before = await h.rows();
    await h.expectRefused(await h.webchat('POST', '/webchat/api/sessions', null, body, type), before, status);
  });

  it.each([
    ['signed with another secret', () => userToken({ sub: 'c1' }, 'another-secret-entirely')],
    ['signed with HS512', () => userToken({ sub: 'c1' }, WIDGET_SECRET, 'HS512')],
    ['expired', () => sign({ sub: 'c1', exp: 1_600_000_000 }, WIDGET_SECRET, 'HS256')],
    ['without a sub', () => userToken({ name: 'Dana' })],
  ])('a user token %s is refused with 401 and writes nothing', async (_, make) => {
    const before = await h.rows();
    const res = await h.webchat(
      'POST',
      '/webchat/api/sessions',
      null,
      json({ widget: WIDGET, userToken: await make() }),
    );
    await h.expectRefused(res, before, 401);
  });

  it.each(Object.entries(ODD_CHARACTERS))(
    'R4: %s in the user token claims is kept, never a 5xx',
    async (_, odd) => {
      const s = await session({ sub: `customer-${odd}`, name: `Dana ${odd}`, email: `${odd}@x.test` });
      // Claims are trimmed (a trailing U+FEFF is white space) once what PostgreSQL cannot keep is gone.
      expect(s.name).toBe(kept(`Dana ${odd}`).trim());
      const row = await db.em().findOneOrFail(WebchatSession, s.sessionId);
      // The site's user id in the widget's customer scope (the widget itself: issue 9).
      expect(row.address).toBe(`portal@${WIDGET}:${kept(`customer-${odd}`).trim()}`);
    },
  );

  it('R4: a NUL in the widget name is dropped, so the session is for that widget', async () => {
    const res = await h.webchat('POST', '/webchat/api/sessions', null, json({ widget: `${WIDGET}\u0000` }));
    expect(res.status).toBe(201);
  });
});

describe('webchat messages, history, read receipts, files and the stream', () => {
  it.each([
    ['no token', 401, null, { text: 'hi', clientMessageId: 'a1' }],
    ['an unknown token', 401, 'not-a-session', { text: 'hi', clientMessageId: 'a1' }],
    ['a body that is not JSON', 400, 'session', '{"text":'],
    ['no text and no file', 422, 'session', { clientMessageId: 'a2' }],
    [
      'a client message id with odd characters',
      422,
      'session',
      { text: 'hi', clientMessageId: 'a\u0000<b>' },
    ],
    [
      'a file uploaded in another session',
      422,
      'session',
      { attachmentIds: [crypto.randomUUID()], clientMessageId: 'a3' },
    ],
    ['a text over the limit', 413, 'session', { text: 'x'.repeat(BODY_LIMIT), clientMessageId: 'a4' }],
  ])('a message with %s is refused with %i and writes nothing', async (_, status, who, body) => {
    const token = who === 'session' ? (await session()).token : who;
    const before = await h.rows();
    await h.expectRefused(await message(token, body), before, status);
  });

  it('R4: the same message retried (same clientMessageId) is kept once', async () => {
    const { token } = await session();
    const before = await h.rows();
    expect((await message(token, { text: 'twice', clientMessageId: 'same' })).status).toBe(201);
    const again = await message(token, { text: 'twice', clientMessageId: 'same' });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });
    expect((await h.rows()).message).toBe(before.message + 1);
  });

  it.each(Object.entries(ODD_CHARACTERS))(
    'R4: %s in a message and a file name is kept, never a 5xx',
    async (_, odd) => {
      const { token } = await session();
      const file = await upload(
        token,
        new File([new Uint8Array(10)], `${odd}.txt`, { type: `text/plain${odd}` }),
      );
      expect(file.status, await file.clone().text()).toBe(201);
      const uploaded = (await file.json()) as { id: string };
      expect((await db.em().findOneOrFail(WebchatUpload, uploaded.id)).name).toBe(kept(`${odd}.txt`));
      const res = await message(token, {
        text: odd,
        attachmentIds: [uploaded.id],
        clientMessageId: `o${++n}`,
      });
      expect(res.status, await res.clone().text()).toBe(201);
    },
  );

  it.each([
    ['no token', 401, null, new File(['x'], 'a.txt')],
    ['no file field', 400, 'session', null],
    ['the file in another field', 400, 'session', new File(['x'], 'a.txt'), 'attachment'],
    [
      'a file over ATTACHMENT_MAX_BYTES',
      413,
      'session',
      new File([new Uint8Array(ATTACHMENT_MAX + 1)], 'big.bin'),
    ],
    [
      'a body over the upload limit',
      413,
      'session',
      new File([new Uint8Array(ATTACHMENT_MAX + 128 * 1024)], 'huge.bin'),
    ],
  ])(
    'an upload with %s is refused with %i and writes nothing',
    async (_, status, who, file, field = 'file') => {
      const token = who === 'session' ? (await session()).token : who;
      const before = await h.rows();
      await h.expectRefused(await upload(token, file, field), before, status);
    },
  );

  it('an upload that is not multipart is refused with 400 and writes nothing', async () => {
    const { token } = await session();
    const before = await h.rows();
    await h.expectRefused(
      await h.webchat('POST', '/webchat/api/uploads', token, '{"file":"x"}'),
      before,
      400,
    );
  });

  it('history, read receipts, files and the stream refuse bad input with a 4xx', async () => {
    const { token } = await session();
    const get = (path: string, t: string | null = token) => h.webchat('GET', path, t);
    for (const after of ['abc', '-1', '1e999', '2.5'])
      expect((await get(`/webchat/api/history?after=${after}`)).status).toBe(422);
    expect((await get('/webchat/api/history', 'nope')).status).toBe(401);
    const ack = (body: string) => h.webchat('POST', '/webchat/api/ack', token, body);
    expect((await ack('{"conversationId":')).status).toBe(400);
    expect((await ack(json({ conversationId: crypto.randomUUID(), seq: 1, state: 'read' }))).status).toBe(
      404,
    );
    expect((await ack(json({ conversationId: 'x\u0000', seq: 'one', state: 'seen' }))).status).toBe(422);
    for (const id of ['%00', '..%2F..%2Fetc%2Fpasswd', crypto.randomUUID(), '%E2%80%AE']) {
      expect((await get(`/webchat/api/files/${id}`)).status).toBe(404);
    }
    expect((await get('/webchat/api/stream', null)).status).toBe(401);
    expect((await h.request(`/webchat/demo?widget=${encodeURIComponent('<b>\u202E')}%00`)).status).toBe(404);
  });

  it('a stream resumed from a garbage Last-Event-ID starts from the beginning', async () => {
    const { token } = await session();
    const res = await h.request('/webchat/api/stream', {
      headers: { authorization: `Bearer ${token}`, 'last-event-id': '../../etc:99999999999' },
    });
    expect(res.status).toBe(200);
    const stream = sseReader(res);
    expect((await stream.next()).event).toBe('ready');
    await stream.close();
  });
});

describe('admin API /api/admin/v1', () => {
  const admin = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    h.request(`/api/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', ...headers },
      body,
    });
  const contact = json({ name: 'Dana', identities: [{ channel: 'sms', address: '+15550109999' }] });

  it.each([
    ['no token', 401, contact, { authorization: '' }],
    ['a wrong token', 401, contact, { authorization: 'Bearer wrong-token-wrong-token-wrong' }],
    ['the token as Basic auth', 401, contact, { authorization: `Basic ${ADMIN_TOKEN}` }],
    ['a body that is not JSON', 400, '{"name":', {}],
    ['JSON labelled as a form', 415, contact, { 'content-type': 'application/x-www-form-urlencoded' }],
    ['a body over BODY_LIMIT_BYTES', 413, json({ name: 'x'.repeat(BODY_LIMIT) }), {}],
    ['an unknown channel', 422, json({ identities: [{ channel: 'fax', address: '1' }] }), {}],
  ])('creating a contact with %s is refused with %i and writes nothing', async (_, status, body, headers) => {
    const before = await h.rows();
    await h.expectRefused(await admin('POST', '/contacts', body, headers), before, status);
  });

  it.each(Object.entries(ODD_CHARACTERS))(
    '%s in every text field is kept or refused with a 4xx, never a 5xx',
    async (_, odd) => {
      const created = await admin(
        'POST',
        '/contacts',
        json({
          name: odd,
          tags: [odd],
          identities: [{ channel: 'webchat', address: `portal:${odd}` }],
          portalProfile: { externalId: odd, name: odd },
        }),
      );
      expect(created.status, await created.clone().text()).toBe(201);
      const { id } = (await created.json()) as { id: string };
      expect((await db.em().findOneOrFail(Contact, id)).name).toBe(kept(odd).trim() || null);
      const group = await admin('POST', '/groups', json({ name: `Group ${odd}`, slackChannelId: odd }));
      expect(group.status, await group.clone().text()).toBe(201);
      const groupId = ((await group.json()) as { id: string }).id;
      const user = await admin(
        'POST',
        '/users',
        json({ email: `${odd}@x.test`, name: odd, groupIds: [groupId] }),
      );
      expect(user.status).toBeLessThan(500);
      const endpoint = await admin(
        'POST',
        '/endpoints',
        json({
          groupId,
          channel: 'webchat',
          address: `wid_${odd}`,
          name: odd,
          settings: { secret: `s${odd}` },
        }),
      );
      expect(endpoint.status, await endpoint.clone().text()).toBe(201);
      for (const path of [
        `/contacts?name=${encodeURIComponent(kept(odd))}%00`,
        `/contacts/${encodeURIComponent(kept(odd))}%00`,
        `/groups/${id}%00`,
      ]) {
        expect((await admin('GET', path)).status).toBeLessThan(500);
      }
    },
  );
});

it('the app still answers /healthz and /readyz after the corpus, and logged no failed request', async () => {
  await h.expectStillServing();
});
