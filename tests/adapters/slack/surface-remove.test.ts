import { describe, expect, it } from 'vitest';
import { STUB_TEXT } from '../../../adapters/surfaces/slack/thread-blocks.ts';
import { newStorageKey } from '../../../src/ports/storage.ts';
import { ADMIN_TOKEN } from '../../support/fake-slack.ts';
import { slackSurfaceHarness } from './surface-harness.ts';

const h = slackSurfaceHarness();
const { slack } = h;

const SECRET = 'my card number is 4111';

/** A thread with a header, customer posts, a file, a note and an agent's own message in it. */
async function busyThread() {
  const opened = await h.openChannelThread(h.header({ contactName: 'Secret Sam' }));
  const storageKey = newStorageKey();
  await h.storage.put(storageKey, new Uint8Array([1, 2]), 'image/png');
  await h.postAll(opened.ref, [
    h.item({ authorName: 'Secret Sam', text: SECRET }),
    h.item({
      authorName: 'Secret Sam',
      text: 'photo',
      attachments: [{ id: 'f', kind: 'image', name: 'sam.png', storageKey, status: 'stored' }],
    }),
    h.item({ kind: 'note', authorName: 'Alice', text: 'Sam is a VIP' }),
  ]);
  const agent = slack.personWrites(
    opened.channel,
    'UALICE',
    'Hi Sam, about your card',
    String(opened.ref.ts),
  );
  return { ...opened, agent };
}

describe('removing a thread (R31, R24)', () => {
  it("R31: a restricted conversation's shared thread becomes a content-free stub; the app's posts in it are deleted", async () => {
    const { channel, ref, agent } = await busyThread();
    await h.surface.removeThread(ref, 'stub');
    const left = slack.thread(channel, String(ref.ts));
    expect(left[0]!.ts).toBe(ref.ts);
    expect(left[0]!.text).toBe(STUB_TEXT);
    expect(JSON.stringify(left[0]!.blocks)).not.toContain('conv_');
    // People's messages cannot be deleted with the bot token: the agent's stays (a warning is logged).
    expect(left.slice(1).map((m) => m.ts)).toEqual([agent.ts]);
    const shown = slack.posts
      .filter((m) => m.channel === channel)
      .map(slack.visible)
      .join('\n');
    for (const secret of [SECRET, 'Secret Sam', 'sam.png', 'Sam is a VIP'])
      expect(shown).not.toContain(secret);
  });

  it("R31: with an admin user token, people's messages in the thread are removed too", async () => {
    const { channel, ref } = await busyThread();
    await h.surfaceWithUserToken.removeThread(ref, 'stub');
    const left = slack.thread(channel, String(ref.ts));
    expect(left.map((m) => m.text)).toEqual([STUB_TEXT]);
    expect(slack.callsOf('chat.delete').filter((c) => c.token === ADMIN_TOKEN)).toHaveLength(1);
  });

  it('R24: deleting removes the header as well; running it again after a partial run finishes the job', async () => {
    const { channel, ref } = await busyThread();
    slack.failNext('chat.delete', { kind: '429', retryAfter: 2 });
    await expect(h.surfaceWithUserToken.removeThread(ref, 'delete')).rejects.toMatchObject({
      retryAfterMs: 2_000,
    });
    h.clock.now += 2_000;
    await h.surfaceWithUserToken.removeThread(ref, 'delete');
    expect(slack.posts.filter((m) => m.channel === channel)).toEqual([]);
    // Already gone: nothing left to do, and no error.
    await h.surfaceWithUserToken.removeThread(ref, 'delete');
  });
});
