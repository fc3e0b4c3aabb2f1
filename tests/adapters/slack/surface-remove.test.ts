import { describe, expect, it } from 'vitest';
import { STUB_TEXT } from '../../../adapters/surfaces/slack/thread-blocks.ts';
import { newStorageKey } from '../../../src/ports/storage.ts';
import { ADMIN_TOKEN, BOT_TOKEN } from '../../support/fake-slack.ts';
import { slackSurfaceHarness } from './surface-harness.ts';

const h = slackSurfaceHarness();
const { slack } = h;

const SECRET = 'my card number is 4111';

/** A thread with a header, customer posts, a file, a note and an agent's own message in it. */
async function busyThread() {
  const opened = await h.openChannelThread(h.header({ contactName: 'Secret Sam' }));
  const storageKey = newStorageKey();
  await h.storage.put(storageKey, new Uint8Array([1, 2]), 'image/png');
  const { ref: saved } = await h.postAll(opened.ref, [
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
  // The agent also attached a file of their own to the thread.
  const shared = slack.personShares(
    opened.channel,
    'UALICE',
    'the form',
    'sam-contract.pdf',
    String(opened.ref.ts),
  );
  // `saved`: the ref as the mirror keeps it after posting (it records the files Parley shared).
  return { ...opened, saved, agent, shared };
}

/** Files of this thread the workspace still holds: Parley's uploads and the agent's. */
const liveFilesOf = ({ saved, shared }: Awaited<ReturnType<typeof busyThread>>) => {
  const ids = [...(saved.files as string[]), ...shared.files!.map((f) => f.id)];
  return slack
    .liveFiles()
    .filter((f) => ids.includes(f.id))
    .map((f) => f.filename)
    .sort();
};

describe('removing a thread (R31, R24)', () => {
  it("R31: a restricted conversation's shared thread becomes a content-free stub; the app's posts in it are deleted", async () => {
    const { channel, ref, agent, shared } = await busyThread();
    await h.surface.removeThread(ref, 'stub');
    const left = slack.thread(channel, String(ref.ts));
    expect(left[0]!.ts).toBe(ref.ts);
    expect(left[0]!.text).toBe(STUB_TEXT);
    expect(JSON.stringify(left[0]!.blocks)).not.toContain('conv_');
    // People's messages cannot be deleted with the bot token: the agent's stay (a warning is logged).
    expect(left.slice(1).map((m) => m.ts)).toEqual([agent.ts, shared.ts]);
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
    expect(slack.callsOf('chat.delete').filter((c) => c.token === ADMIN_TOKEN)).toHaveLength(2);
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

  it("R31: a restricted conversation's files leave the shared channel, Parley's and people's alike", async () => {
    const thread = await busyThread();
    const { channel, saved, shared } = thread;
    expect(liveFilesOf(thread)).toEqual(['sam-contract.pdf', 'sam.png']);
    await h.surfaceWithUserToken.removeThread(saved, 'stub');
    expect(liveFilesOf(thread)).toEqual([]);
    const deletes = slack.callsOf('files.delete');
    // Each by a token Slack lets delete it: the app's upload by the bot, the agent's by the admin.
    expect(deletes.map((c) => [c.args.file, c.token === BOT_TOKEN ? 'bot' : 'admin']).sort()).toEqual(
      [
        [shared.files![0]!.id, 'admin'],
        [String((saved.files as string[])[0]), 'bot'],
      ].sort(),
    );
    const shown = slack.posts
      .filter((m) => m.channel === channel)
      .map(slack.visible)
      .join('\n');
    for (const secret of ['sam.png', 'sam-contract.pdf']) expect(shown).not.toContain(secret);
  });

  it("R31: without an admin user token, Parley's files go and people's own stay, with their messages", async () => {
    const thread = await busyThread();
    await h.surface.removeThread(thread.saved, 'stub');
    expect(liveFilesOf(thread)).toEqual(['sam-contract.pdf']);
    const { saved } = thread;
    expect(slack.callsOf('files.delete').map((c) => c.args.file)).toEqual(saved.files);
  });

  it('R24: files are deleted even where their message is gone, and a rate-limited run goes on where it stopped', async () => {
    const thread = await busyThread();
    const { channel, saved, shared } = thread;
    // Someone deleted Parley's file post by hand: its file is still in the workspace.
    const filePost = slack.posts.find((p) => p.channel === channel && p.files?.[0]?.name === 'sam.png')!;
    slack.posts.splice(slack.posts.indexOf(filePost), 1);
    slack.failNext('files.delete', { kind: '429', retryAfter: 3 }, (a) => a.file === shared.files![0]!.id);
    await expect(h.surfaceWithUserToken.removeThread(saved, 'delete')).rejects.toMatchObject({
      retryAfterMs: 3_000,
    });
    h.clock.now += 3_000;
    await h.surfaceWithUserToken.removeThread(saved, 'delete');
    expect(liveFilesOf(thread)).toEqual([]);
    expect(slack.posts.filter((m) => m.channel === channel)).toEqual([]);
    // Parley's file was deleted once: the second run did not ask for it again.
    expect(slack.callsOf('files.delete').filter((c) => c.args.file === filePost.files![0]!.id)).toHaveLength(
      1,
    );
    // Gone already (a third run, or Slack's own answer for a deleted file): no error.
    await h.surfaceWithUserToken.removeThread(saved, 'delete');
  });
});
