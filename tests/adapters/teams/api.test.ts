import { beforeEach, describe, expect, it } from 'vitest';
import type { OutboundActivity } from '../../../adapters/surfaces/teams/ports.ts';
import {
  createTeamsApi,
  TeamsAmbiguousError,
  TeamsApiError,
} from '../../../adapters/surfaces/teams/teams-api.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { createLogger } from '../../../src/logger.ts';
import { SurfaceRetryLater } from '../../../src/ports/agent-surface.ts';
import {
  fakeTeams,
  TEAMS_SERVICE_URL,
  TEAMS_TEST_TENANT_ID,
  type TeamsFailure,
} from '../../support/fake-teams.ts';
import { useMsw } from '../../support/msw.ts';
import { createTestRedis } from '../../support/redis.ts';

const redis = createTestRedis();
const teams = fakeTeams();
useMsw(...teams.handlers);
beforeEach(() => teams.reset());
const clock = { now: Date.now() };
const options = {
  serviceUrl: TEAMS_SERVICE_URL,
  token: async () => 'bot-framework-token',
  tenantId: TEAMS_TEST_TENANT_ID,
  redis: redis.producer,
  prefix: redis.prefix,
  logger: createLogger('silent'),
  timeoutMs: 300,
  now: () => clock.now,
};
const api = createTeamsApi(options);

let n = 0;
const newChannel = () => `19:chan${++n}x${Date.now()}@thread.tacv2`;
const text = (t: string): OutboundActivity => ({ type: 'message', text: t });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

describe('the Bot Connector client (DESIGN 5)', () => {
  it('R28: a channel post, then replies in its thread, in order; updates and deletions show as Teams shows them', async () => {
    const channel = newChannel();
    const post = await api.createChannelPost(channel, text('root'));
    expect(post.threadId).toBe(`${channel};messageid=${post.activityId}`);
    const a = await api.send(post.threadId, text('one'));
    await api.send(post.threadId, text('two'));
    await api.update(channel, post.activityId, text('root, redrawn'));
    await api.delete(post.threadId, a.activityId);
    const [shown] = teams.posts(channel);
    expect(shown?.root?.text).toBe('root, redrawn');
    expect(shown?.replies.map((r) => r.text)).toEqual(['two']);
    const err = await failure(api.delete(post.threadId, a.activityId));
    expect(err).toMatchObject({ constructor: TeamsApiError, code: 'not_found' });
  });

  it('R31: the personal chat with a user is the same every time; without the app installed it is app_not_installed', async () => {
    const ada = teams.addUser({ name: 'Ada Lovelace', email: 'ada@example.com' });
    const first = await api.openPersonalChat(ada.aadObjectId);
    expect(await api.openPersonalChat(ada.aadObjectId)).toBe(first);
    await api.send(first, text('hello Ada'));
    expect(teams.chatWith(ada.aadObjectId).map((a) => a.text)).toEqual(['hello Ada']);
    const bob = teams.addUser({ name: 'Bob', installed: false });
    const err = await failure(api.openPersonalChat(bob.aadObjectId));
    expect(err).toMatchObject({ constructor: TeamsApiError, code: 'app_not_installed', status: 403 });
    expect((err as Error).message).toContain('not part of the conversation roster');
  });

  it('reads a member of the roster with email and Entra object id; someone not there is null', async () => {
    const channel = newChannel();
    const ada = teams.addUser({ name: 'Ada Lovelace', email: 'ada@example.com' });
    expect(await api.member(channel, ada.id)).toEqual({
      id: ada.id,
      aadObjectId: ada.aadObjectId,
      name: 'Ada Lovelace',
      email: 'ada@example.com',
      guest: false,
    });
    expect(await api.member(channel, '29:nobody')).toBeNull();
  });

  it('a 429 with Retry-After holds that thread for that long, without calling; other threads go on', async () => {
    const post = await api.createChannelPost(newChannel(), text('root'));
    teams.failNext('reply', { kind: '429', retryAfter: 7 });
    expect(await failure(api.send(post.threadId, text('x')))).toMatchObject({ retryAfterMs: 7_000 });
    const before = teams.calls.length;
    const held = await failure(api.send(post.threadId, text('y')));
    expect(held).toBeInstanceOf(SurfaceRetryLater);
    expect(teams.calls).toHaveLength(before);
    const other = await api.createChannelPost(newChannel(), text('elsewhere'));
    await api.send(other.threadId, text('goes on'));
    clock.now += 7_000;
    await api.send(post.threadId, text('after the wait'));
    expect(teams.post(post.threadId)?.replies.map((r) => r.text)).toEqual(['after the wait']);
  });

  it('a 429 without Retry-After backs off exponentially, and a success starts the back-off again', async () => {
    const post = await api.createChannelPost(newChannel(), text('root'));
    teams.failNext('reply', { kind: '429' });
    expect(await failure(api.send(post.threadId, text('x')))).toMatchObject({ retryAfterMs: 1_000 });
    clock.now += 1_000;
    teams.failNext('reply', { kind: '429' });
    expect(await failure(api.send(post.threadId, text('x')))).toMatchObject({ retryAfterMs: 2_000 });
    clock.now += 2_000;
    await api.send(post.threadId, text('x'));
    teams.failNext('reply', { kind: '429' });
    expect(await failure(api.send(post.threadId, text('y')))).toMatchObject({ retryAfterMs: 1_000 });
  });

  it('412, 500, 502, 503 and 504 are retried later and nothing was posted; they are not ambiguous', async () => {
    const post = await api.createChannelPost(newChannel(), text('root'));
    const failures: TeamsFailure[] = [
      { kind: '412' },
      ...([500, 502, 503, 504] as const).map((status) => ({ kind: '5xx' as const, status })),
    ];
    for (const f of failures) {
      teams.failNext('reply', f);
      const err = await failure(api.send(post.threadId, text('x')));
      expect(err).toBeInstanceOf(SurfaceRetryLater);
      expect(err).not.toBeInstanceOf(TeamsAmbiguousError);
      clock.now += 120_000;
    }
    expect(teams.post(post.threadId)?.replies).toEqual([]);
  });

  it('no answer after Teams took the message is ambiguous (the message is there); a dropped connection too', async () => {
    const post = await api.createChannelPost(newChannel(), text('root'));
    teams.failNext('reply', { kind: 'accept-then-timeout' });
    expect(await failure(api.send(post.threadId, text('maybe')))).toBeInstanceOf(TeamsAmbiguousError);
    expect(teams.post(post.threadId)?.replies.map((r) => r.text)).toEqual(['maybe']);
    teams.failNext('reply', { kind: 'drop' });
    expect(await failure(api.send(post.threadId, text('lost')))).toBeInstanceOf(SurfaceRetryLater);
  });

  it('paces a thread to Teams’ windows: 7 at once, then the caller waits without a call', async () => {
    const post = await api.createChannelPost(newChannel(), text('root'));
    for (let i = 0; i < 7; i++) await api.send(post.threadId, text(`m${i}`));
    const before = teams.calls.length;
    const paced = await failure(api.send(post.threadId, text('eighth')));
    expect(paced).toBeInstanceOf(SurfaceRetryLater);
    expect((paced as Error).message).toMatch(/paced/);
    expect(teams.calls).toHaveLength(before);
  });

  it('DESIGN 5: a background redraw (a header’s count) leaves the thread’s reserve to posts and comes back on its thread’s own 5 s grid', async () => {
    const post = await api.createChannelPost(newChannel(), text('root'));
    for (let i = 0; i < 5; i++) await api.send(post.threadId, text(`m${i}`));
    const before = teams.calls.length;
    const redraw = () =>
      api.update(post.threadId, post.activityId, text('root, 6 unreplied'), { background: true });
    const first = await failure(redraw());
    expect(first).toBeInstanceOf(SurfaceRetryLater);
    expect((first as Error).message).toMatch(/\(1s, its reserve kept for others\)/);
    expect(teams.calls).toHaveLength(before);
    // Every refusal of this thread within the next 5 s asks to come back at a point of the same
    // grid, so the mirror's later runs of the conversation fall on one slot.
    const wait = (first as SurfaceRetryLater).retryAfterMs;
    expect(wait).toBeGreaterThanOrEqual(2_500);
    expect(wait).toBeLessThan(7_500);
    const at = clock.now + wait;
    clock.now += 400;
    const again = (await failure(redraw())) as SurfaceRetryLater;
    expect((clock.now + again.retryAfterMs - at) % 5_000).toBe(0);
    // A post still has the reserve; the redraw itself goes once the posts are out of the thread's
    // two-second window.
    await api.send(post.threadId, text('m5'));
    clock.now += 2_100;
    await api.update(post.threadId, post.activityId, text('root, 6 unreplied'), { background: true });
    expect(teams.posts(post.threadId.split(';')[0]!)[0]?.root?.text).toBe('root, 6 unreplied');
    clock.now += 2_000;
  });

  it('a message over Teams’ size limit is refused as too_large', async () => {
    const post = await api.createChannelPost(newChannel(), text('root'));
    teams.expectRefusal('MessageSizeTooBig');
    const err = await failure(api.send(post.threadId, text('x'.repeat(30_000))));
    expect(err).toMatchObject({ constructor: TeamsApiError, code: 'too_large', status: 413 });
  });

  it('without a token (Entra refused the app) nothing is sent and the work waits', async () => {
    const broken = createTeamsApi({
      ...options,
      token: async () => {
        throw new AppError('not_configured', 'TEAMS_APP_PASSWORD is wrong.');
      },
    });
    const before = teams.calls.length;
    const err = await failure(broken.createChannelPost(newChannel(), text('x')));
    expect(err).toBeInstanceOf(SurfaceRetryLater);
    expect((err as SurfaceRetryLater).retryAfterMs).toBe(300_000);
    expect(teams.calls).toHaveLength(before);
  });
});
