import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createWebchatLimits } from '../../../adapters/channels/webchat/rate-limits.ts';
import { loadConfig } from '../../../src/config.ts';
import { isAppError } from '../../../src/domain/errors.ts';
import { countRows } from '../../support/bad-input-corpus.ts';
import { createTestDb, testRedisPrefix } from '../../support/test-db.ts';
import { fromSocket, webchatHarness } from './harness.ts';

/**
 * Issue 9, item 6: the public webchat API is rate limited per client address and per widget
 * (sessions, messages, uploads), counted in Redis. A refusal is a 429 with Retry-After and the
 * standard error body, and writes nothing.
 */
const db = await createTestDb();
const h = await webchatHarness(db, {
  env: {
    WEBCHAT_SESSIONS_PER_IP_PER_MINUTE: '5',
    WEBCHAT_SESSIONS_PER_WIDGET_PER_MINUTE: '12',
    WEBCHAT_MESSAGES_PER_IP_PER_MINUTE: '4',
    WEBCHAT_UPLOADS_PER_IP_PER_MINUTE: '2',
  },
});

interface ErrorBody {
  error: { code: string; message: string; details: { retryAfterSeconds: number; limit: string } };
}
const newSession = (widget: string, ip: string, headers: Record<string, string> = {}) =>
  h.call('POST', '/webchat/api/sessions', null, { widget }, headers, { ip });
const statuses = (responses: Response[]) => responses.map((r) => r.status).sort();

async function expectLimited(res: Response, limit: string, message: RegExp) {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get('Retry-After'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.headers.get('Access-Control-Expose-Headers')).toMatch(/Retry-After/);
  const body = (await res.json()) as ErrorBody;
  expect(body.error).toMatchObject({
    code: 'rate_limited',
    details: { limit, retryAfterSeconds: retryAfter },
  });
  expect(body.error.message).toMatch(message);
  expect(body.error.message).toMatch(/wait \d+ seconds and try again/);
}

describe('webchat rate limits (issue 9, item 6)', () => {
  it('R33: a flood of sessions from one address gets 429 with Retry-After after the limit, and nothing is stored for the refused ones', async () => {
    await h.addWidget('wid_flood', {});
    const before = await countRows(db.em());
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => newSession('wid_flood', '203.0.113.7')),
    );
    expect(statuses(answers)).toEqual([...Array(5).fill(201), ...Array(25).fill(429)]);
    await expectLimited(
      answers.find((r) => r.status === 429)!,
      'sessions_per_ip',
      /^Too many chats were started from your network just now\./,
    );
    expect(await countRows(db.em())).toEqual({ ...before, webchat_session: before.webchat_session + 5 });
    // Another address is not held back by this one.
    expect((await newSession('wid_flood', '198.51.100.20')).status).toBe(201);
  });

  it('R33: X-Forwarded-For is not trusted by default: a client cannot buy a new budget by writing it', async () => {
    await h.addWidget('wid_spoof', {});
    const answers = [];
    for (let i = 0; i < 7; i++) {
      answers.push(await newSession('wid_spoof', '203.0.113.8', { 'X-Forwarded-For': `10.0.0.${i}` }));
    }
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 429, 429]);
  });

  it('R33: a widget has its own budget of sessions, whatever the addresses', async () => {
    await h.addWidget('wid_busy', {});
    const answers = [];
    for (let i = 1; i <= 13; i++) answers.push(await newSession('wid_busy', `192.0.2.${i}`));
    expect(answers.slice(0, 12).every((r) => r.status === 201)).toBe(true);
    await expectLimited(answers[12]!, 'sessions_per_widget', /^This chat is very busy\./);
  });

  it('R33: messages from one address are limited; refused ones are not written', async () => {
    const s = await h.session(undefined, { ip: '203.0.113.9' });
    const before = await countRows(db.em());
    const sent = [];
    for (let i = 0; i < 6; i++) {
      sent.push(
        await h.call(
          'POST',
          '/webchat/api/messages',
          s.token,
          { text: `message ${i}`, clientMessageId: `m${i}` },
          {},
          { ip: '203.0.113.9' },
        ),
      );
    }
    expect(sent.map((r) => r.status)).toEqual([201, 201, 201, 201, 429, 429]);
    await expectLimited(
      sent[4]!,
      'messages_per_ip',
      /^You are sending messages faster than we can take them\./,
    );
    expect((await countRows(db.em())).message).toBe(before.message + 4);
  });

  it('R33: uploads from one address are limited; a refused upload stores nothing', async () => {
    const s = await h.session(undefined, { ip: '203.0.113.10' });
    const before = await countRows(db.em());
    const upload = () => {
      const form = new FormData();
      form.append('file', new File(['hello'], 'note.txt', { type: 'text/plain' }));
      return h.app.request(
        '/webchat/api/uploads',
        { method: 'POST', headers: { Authorization: `Bearer ${s.token}` }, body: form },
        fromSocket('203.0.113.10'),
      );
    };
    const answers = [await upload(), await upload(), await upload()];
    expect(answers.map((r) => r.status)).toEqual([201, 201, 429]);
    await expectLimited(
      answers[2]!,
      'uploads_per_ip',
      /^Too many files were sent from your network just now\./,
    );
    expect((await countRows(db.em())).webchat_upload).toBe(before.webchat_upload + 2);
  });

  it('R33: while Redis does not answer, each process still holds the limit in its own memory', async () => {
    const deadRedis = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, maxRetriesPerRequest: 0 });
    const limits = createWebchatLimits(
      deadRedis,
      loadConfig({ REDIS_PREFIX: testRedisPrefix(), WEBCHAT_SESSIONS_PER_IP_PER_MINUTE: '2' }),
    );
    await limits.count('sessions', 'ip', '203.0.113.11');
    await limits.count('sessions', 'ip', '203.0.113.11');
    const third = await limits.count('sessions', 'ip', '203.0.113.11').catch((err: unknown) => err);
    expect(isAppError(third) && third.code).toBe('rate_limited');
    deadRedis.disconnect();
  });
});
