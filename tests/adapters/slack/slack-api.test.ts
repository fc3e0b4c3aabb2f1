import { describe, expect, it } from 'vitest';
import {
  createSlackApi,
  SlackAmbiguousError,
  SlackApiError,
} from '../../../adapters/surfaces/slack/slack-api.ts';
import { SurfaceRetryLater } from '../../../src/ports/agent-surface.ts';
import { BOT_TOKEN, SLACK_API_URL } from '../../support/fake-slack.ts';
import { slackSurfaceHarness } from './surface-harness.ts';

const h = slackSurfaceHarness();
const { slack, api } = h;

describe('calling the Slack Web API', () => {
  it('a refusal comes out with Slack’s error code; a 5xx is ambiguous (it may have been carried out)', async () => {
    const channel = h.newChannel();
    slack.failNext('chat.postMessage', { kind: 'error', error: 'invalid_blocks' });
    await expect(api.call('chat.postMessage', { channel, text: 'x' }, { channel })).rejects.toMatchObject({
      constructor: SlackApiError,
      code: 'invalid_blocks',
    });
    slack.failNext('chat.update', { kind: '500' });
    await expect(
      api.call('chat.update', { channel, ts: '1.2', text: 'x' }, { channel }),
    ).rejects.toBeInstanceOf(SlackAmbiguousError);
  });

  it('DESIGN 5: a 429 without Retry-After holds the method for a second; other methods are not held', async () => {
    slack.failNext('views.publish', { kind: '429' });
    const first = await api.call('views.publish', { user_id: 'U1', view: {} }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(SurfaceRetryLater);
    expect((first as SurfaceRetryLater).retryAfterMs).toBe(1_000);
    const before = slack.calls.length;
    await expect(api.call('views.publish', { user_id: 'U2', view: {} })).rejects.toBeInstanceOf(
      SurfaceRetryLater,
    );
    expect(slack.calls).toHaveLength(before);
    await api.call('auth.test', {});
    expect(slack.calls).toHaveLength(before + 1);
  });

  it('DESIGN 5: a 429 on a reaction holds reactions in the workspace, not new posts in the channel', async () => {
    const channel = h.newChannel();
    slack.failNext('reactions.add', { kind: '429', retryAfter: 30 });
    await expect(
      api.call('reactions.add', { channel, timestamp: '1.2', name: 'outbox_tray' }, { channel }),
    ).rejects.toBeInstanceOf(SurfaceRetryLater);
    // Slack limits reactions per workspace: another channel's reaction waits too, without a call...
    const before = slack.calls.length;
    const other = h.newChannel();
    await expect(
      api.call('reactions.add', { channel: other, timestamp: '1.3', name: 'eyes' }, { channel: other }),
    ).rejects.toMatchObject({ retryAfterMs: 30_000 });
    expect(slack.calls).toHaveLength(before);
    // ...while the customer's next message is still posted in the channel at once.
    await api.call('chat.postMessage', { channel, text: 'still posted' }, { channel });
    expect(slack.callsOf('chat.postMessage').at(-1)?.args.text).toBe('still posted');
  });

  it('DESIGN 5: a hold Slack asked for is honoured by every worker sharing Redis, not only the one that got the 429', async () => {
    const channel = h.newChannel();
    slack.failNext('chat.postMessage', { kind: '429', retryAfter: 5 });
    await expect(api.call('chat.postMessage', { channel, text: 'a' }, { channel })).rejects.toBeInstanceOf(
      SurfaceRetryLater,
    );
    const otherWorker = createSlackApi({
      token: BOT_TOKEN,
      apiUrl: SLACK_API_URL,
      redis: h.redis.producer,
      prefix: h.redis.prefix,
      now: () => h.clock.now,
    });
    const before = slack.calls.length;
    const err = await otherWorker
      .call('chat.postMessage', { channel, text: 'b' }, { channel })
      .catch((e: unknown) => e);
    expect((err as SurfaceRetryLater).retryAfterMs).toBe(5_000);
    expect(slack.calls).toHaveLength(before);
  });

  it('a refusal an admin must fix (app not in the channel) waits minutes and says what to do', async () => {
    const told: string[] = [];
    const setupApi = createSlackApi({
      token: BOT_TOKEN,
      apiUrl: SLACK_API_URL,
      redis: h.redis.producer,
      prefix: `${h.redis.prefix}:setup`,
      onSetupError: (_method, code, whatToDo) => told.push(`${code}: ${whatToDo}`),
    });
    const channel = h.newChannel();
    slack.failNext('chat.postMessage', { kind: 'error', error: 'not_in_channel' });
    const err = await setupApi
      .call('chat.postMessage', { channel, text: 'x' }, { channel })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SurfaceRetryLater);
    expect((err as SurfaceRetryLater).retryAfterMs).toBe(5 * 60_000);
    expect(told).toEqual([expect.stringContaining('/invite @Parley')]);
  });
});
