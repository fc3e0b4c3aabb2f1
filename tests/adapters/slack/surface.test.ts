import { describe, expect, it } from 'vitest';
import { newStorageKey } from '../../../src/ports/storage.ts';
import { slackSurfaceHarness } from './surface-harness.ts';

const h = slackSurfaceHarness();
const { slack, surface } = h;

const buttonsOf = (blocks: unknown) =>
  ((blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find(
    (b) => b.type === 'actions',
  )?.elements ?? []) as { action_id: string; value: string }[];

describe('the thread header (R28)', () => {
  it('R28: a conversation opens a thread in the group channel: header with contact, status, assignees, unreplied count and buttons, tagged with the conversation', async () => {
    const header = h.header({
      assignees: [{ id: 'u1', name: 'Alice' }],
      unrepliedCount: 3,
      aiState: 'active',
    });
    const { channel, ref } = await h.openChannelThread(header);
    const [post] = slack.callsOf('chat.postMessage');
    expect(post!.args).toMatchObject({
      channel,
      unfurl_links: false,
      unfurl_media: false,
      metadata: { event_type: 'parley_thread', event_payload: { conversation_id: header.conversationId } },
    });
    expect(ref).toEqual({
      channel,
      ts: slack.thread(channel, String(ref.ts))[0]!.ts,
      conversation_id: header.conversationId,
    });
    const shown = slack.visible(slack.thread(channel, String(ref.ts))[0]!);
    for (const text of [
      '#1042',
      'Jane Doe',
      'WhatsApp',
      'Open',
      'Alice',
      '3 unreplied',
      'AI agent answering',
    ]) {
      expect(shown).toContain(text);
    }
    expect(buttonsOf(post!.args.blocks).map((b) => [b.action_id, b.value])).toEqual([
      ['conv_assign_me', header.conversationId],
      ['conv_assign', header.conversationId],
      ['conv_visibility', header.conversationId],
      ['conv_close', header.conversationId],
      ['conv_reply', header.conversationId],
      ['conv_note', header.conversationId],
    ]);
  });

  it('R28: updating the header redraws it in place; a closed conversation offers Reopen instead of Close', async () => {
    const { channel, ref, header } = await h.openChannelThread();
    await surface.updateHeader(ref, { ...header, status: 'closed', unrepliedCount: 0 });
    const [update] = slack.callsOf('chat.update');
    expect(update!.args).toMatchObject({ channel, ts: ref.ts });
    const actions = buttonsOf(update!.args.blocks).map((b) => b.action_id);
    expect(actions).toContain('conv_reopen');
    expect(actions).not.toContain('conv_close');
    expect(slack.visible(slack.thread(channel, String(ref.ts))[0]!)).toContain('Closed');
  });

  it("R31: a user's private thread opens in their direct messages with the app", async () => {
    const header = h.header({ restricted: true });
    const ref = await surface.openThread(
      { kind: 'direct', key: 'user:u1', user: { id: 'u1', name: 'Alice', platformUserId: 'UALICE' } },
      header,
    );
    expect(slack.callsOf('conversations.open')[0]!.args).toMatchObject({ users: 'UALICE' });
    expect(ref.channel).toBe('D_UALICE');
    expect(slack.callsOf('chat.postMessage')[0]!.args.channel).toBe('D_UALICE');
  });
});

describe('items in the thread (R28)', () => {
  it('R28: a customer message shows under their name; markup in the name, text and file names stays plain text', async () => {
    const { channel, ref } = await h.openChannelThread(h.header({ contactName: 'Eve <!here>' }));
    const inbound = h.item({
      authorName: 'Eve <!here>',
      text: 'hi <!channel> <@U1> see <https://evil.example|your bank> & more',
      attachments: [{ id: 'a1', kind: 'document', name: '<@U1> invoice.pdf', status: 'pending' }],
    });
    const r = await h.run(ref, [inbound]);
    expect(r.error).toBeNull();
    const post = slack.callsOf('chat.postMessage').at(-1)!;
    expect(post.args).toMatchObject({
      channel,
      thread_ts: ref.ts,
      username: 'Eve &lt;!here&gt;',
      unfurl_links: false,
      unfurl_media: false,
      metadata: { event_type: 'parley_message', event_payload: { message_ids: [inbound.messageId] } },
    });
    expect(post.args).not.toHaveProperty('link_names');
    const shown = slack.visible(slack.thread(channel, String(ref.ts)).at(-1)!);
    expect(shown).toContain(
      'hi &lt;!channel&gt; &lt;@U1&gt; see &lt;https://evil.example|your bank&gt; &amp; more',
    );
    expect(shown).toContain('&lt;@U1&gt; invoice.pdf');
    const everything = JSON.stringify(slack.calls);
    for (const raw of ['<!channel>', '<!here>', '<@U1>', '<https://evil.example'])
      expect(everything).not.toContain(raw);
  });

  it('R28: notes are marked private; a reply shows who sent it and its delivery state', async () => {
    const { channel, ref } = await h.openChannelThread();
    const note = h.item({ kind: 'note', authorName: 'Alice', text: 'VIP customer' });
    const reply = h.item({ kind: 'reply', authorName: 'Alice', text: 'On its way', deliveryState: 'queued' });
    await h.postAll(ref, [note, reply]);
    const [noteMsg, replyMsg] = slack.thread(channel, String(ref.ts)).slice(1);
    expect(slack.visible(noteMsg!)).toContain(':lock: *Private note* by Alice');
    expect(noteMsg!.username).toBe('Alice');
    expect(slack.visible(replyMsg!)).toContain('Reply by Alice');
    expect(slack.visible(replyMsg!)).toContain('Sending…');
  });

  it('R28: five customer messages waiting together become one post, in order, tagged with all their ids', async () => {
    const { channel, ref } = await h.openChannelThread();
    const items = [1, 2, 3, 4, 5].map((n) => h.item({ text: `message ${n}` }));
    const r = await h.run(ref, items);
    expect(r.error).toBeNull();
    const posts = slack.callsOf('chat.postMessage').slice(1);
    expect(posts).toHaveLength(1);
    const ids = items.map((i) => i.messageId);
    expect(posts[0]!.args.metadata).toMatchObject({ event_payload: { message_ids: ids } });
    const shown = slack.visible(slack.thread(channel, String(ref.ts))[1]!);
    const at = [1, 2, 3, 4, 5].map((n) => shown.indexOf(`message ${n}`));
    expect(at.every((p, i) => p >= 0 && (i === 0 || p > at[i - 1]!))).toBe(true);
    expect(r.steps.filter((s) => s.kind === 'posted')).toEqual([
      expect.objectContaining({ messageIds: ids, post: expect.objectContaining({ combined: true }) }),
    ]);
  });

  it('R28: different authors, kinds or files are never combined; the thread keeps their order', async () => {
    const { channel, ref } = await h.openChannelThread();
    const items = [
      h.item({ text: 'first' }),
      h.item({ text: 'second' }),
      h.item({ kind: 'note', authorName: 'Alice', text: 'third' }),
      h.item({ text: 'fourth' }),
    ];
    const { posted } = await h.postAll(ref, items);
    expect(posted.map((p) => p.messageIds.length)).toEqual([2, 1, 1]);
    const texts = slack.thread(channel, String(ref.ts)).slice(1).map(slack.visible);
    expect(texts[0]).toMatch(/first.*second/);
    expect(texts[1]).toContain('third');
    expect(texts[2]).toContain('fourth');
  });

  it("R29: an agent's own message in the thread is not posted again; one written elsewhere is", async () => {
    const { channel, ref } = await h.openChannelThread();
    const own = h.item({
      kind: 'reply',
      authorName: 'Alice',
      text: 'typed in the thread',
      deliveryState: 'queued',
      origin: { surface: 'slack', ref: { channel, ts: '1700000000.000100', thread_ts: ref.ts } },
    });
    const elsewhere = h.item({
      kind: 'reply',
      authorName: 'Bob',
      text: 'typed in a DM thread',
      deliveryState: 'queued',
      origin: {
        surface: 'slack',
        ref: { channel: 'DBOB', ts: '1700000000.000200', thread_ts: '1700000000.000001' },
      },
    });
    const r = await h.run(ref, [own, elsewhere]);
    expect(r.error).toBeNull();
    expect(r.steps.filter((s) => s.kind === 'posted')).toEqual([
      expect.objectContaining({
        messageIds: [own.messageId],
        post: { channel, ts: '1700000000.000100', own: true },
        // Nothing of the app's is on it yet: its delivery state is drawn as a reaction afterwards.
        showsState: false,
      }),
      expect.objectContaining({ messageIds: [elsewhere.messageId] }),
    ]);
    expect(r.steps.at(-1)).not.toHaveProperty('showsState', false);
    expect(
      slack
        .callsOf('chat.postMessage')
        .slice(1)
        .map((c) => c.args.text),
    ).toEqual([expect.stringContaining('typed in a DM thread')]);
  });

  it("R28: a customer's stored file is uploaded into the thread after the post naming it (Slack's upload flow)", async () => {
    const { channel, ref } = await h.openChannelThread();
    const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 1, 2, 3]);
    const storageKey = newStorageKey();
    await h.storage.put(storageKey, bytes, 'application/pdf');
    const withFile = h.item({
      text: 'my invoice',
      attachments: [
        { id: 'a1', kind: 'document', name: 'inv<1>.pdf', storageKey, status: 'stored', size: bytes.length },
      ],
    });
    const r = await h.run(ref, [withFile]);
    expect(r.error).toBeNull();
    expect(slack.calls.map((c) => c.method).slice(1)).toEqual([
      'chat.postMessage',
      'files.getUploadURLExternal',
      'files.completeUploadExternal',
    ]);
    const [get] = slack.callsOf('files.getUploadURLExternal');
    expect(get!.args).toMatchObject({ filename: 'inv_1_.pdf', length: String(bytes.length) });
    const [complete] = slack.callsOf('files.completeUploadExternal');
    const fileId = (complete!.args.files as { id: string }[])[0]!.id;
    expect(complete!.args).toMatchObject({
      channel_id: channel,
      thread_ts: ref.ts,
      files: [{ id: fileId, title: 'inv&lt;1&gt;.pdf' }],
    });
    expect(slack.uploads.get(fileId)!.bytes).toEqual(bytes);
    const thread = slack.thread(channel, String(ref.ts));
    expect(thread.map((m) => m.files?.[0]?.id ?? null)).toEqual([null, null, fileId]);
    expect(r.steps.at(-1)).toMatchObject({
      kind: 'posted',
      messageIds: [withFile.messageId],
      thread: { channel },
    });
    expect(r.steps.at(-1)!.thread).not.toHaveProperty('pending');
  });
});

describe('delivery state on a post (R29)', () => {
  it("R29: a reply the app posted is redrawn with its new state; an agent's own message gets it as a reaction", async () => {
    const { channel, ref } = await h.openChannelThread();
    const reply = h.item({ kind: 'reply', authorName: 'Alice', text: 'On its way', deliveryState: 'queued' });
    const r = await h.run(ref, [reply]);
    const post = r.steps.find((s) => s.kind === 'posted')!;
    if (post.kind !== 'posted') throw new Error('not posted');
    await surface.updateItem(r.ref, post.post, { ...reply, deliveryState: 'delivered' });
    const replyMsg = slack.thread(channel, String(ref.ts))[1]!;
    expect(slack.visible(replyMsg)).toContain('Delivered');
    expect(slack.visible(replyMsg)).not.toContain('Sending');

    const own = slack.personWrites(channel, 'UALICE', 'typed by Alice', String(ref.ts));
    const ownPost = { channel, ts: own.ts, own: true };
    const ownItem = h.item({
      kind: 'reply',
      authorName: 'Alice',
      text: 'typed by Alice',
      deliveryState: 'sent',
    });
    await surface.updateItem(r.ref, ownPost, ownItem);
    expect(own.reactions).toEqual(['outbox_tray']);
    await surface.updateItem(r.ref, ownPost, { ...ownItem, deliveryState: 'read' });
    expect(own.reactions).toEqual(['eyes']);
    expect(slack.callsOf('chat.update').filter((c) => c.args.ts === own.ts)).toHaveLength(0);
  });

  it('R29: a failed own message gets a warning with the reason in the thread, once', async () => {
    const { channel, ref } = await h.openChannelThread();
    const own = slack.personWrites(channel, 'UALICE', 'hello', String(ref.ts));
    const item = h.item({
      kind: 'reply',
      text: 'hello',
      deliveryState: 'failed',
      deliveryReason: 'The 24-hour window <closed>',
    });
    await surface.updateItem(ref, { channel, ts: own.ts, own: true }, item);
    await surface.updateItem(ref, { channel, ts: own.ts, own: true }, item);
    const warnings = slack.thread(channel, String(ref.ts)).filter((m) => m.text.includes('Not delivered'));
    expect(warnings.map((m) => m.text)).toEqual([
      ':warning: Not delivered to the customer: The 24-hour window &lt;closed&gt;\n> hello',
    ]);
    expect(own.reactions).toEqual(['x']);
  });
});

describe('App Home, digests and notices', () => {
  it('R32: the App Home view is published to the linked Slack user; an unlinked user gets nothing', async () => {
    h.slackIds.set('user-1', 'UONE');
    h.homes.set('user-1', { type: 'home', blocks: [] });
    await surface.publishHome('user-1');
    await surface.publishHome('user-unlinked');
    expect(slack.callsOf('views.publish').map((c) => c.args)).toEqual([
      { user_id: 'UONE', view: { type: 'home', blocks: [] } },
    ]);
  });

  it("R27: a group's digest is posted to its channel without unfurling; notices go to the user's DM", async () => {
    const channel = h.newChannel();
    h.digests.set('group-1', { channel, text: 'Digest', blocks: [] });
    await surface.postDigest('group-1');
    h.slackIds.set('user-2', 'UTWO');
    await surface.notify('user-2', 'Your reply was not delivered.');
    expect(slack.callsOf('chat.postMessage').map((c) => c.args)).toEqual([
      { channel, text: 'Digest', blocks: [], unfurl_links: false, unfurl_media: false },
      { channel: 'UTWO', text: 'Your reply was not delivered.', unfurl_links: false, unfurl_media: false },
    ]);
  });

  it('the workspace URL for permalinks comes from auth.test, asked once', async () => {
    expect(await h.api.teamUrl()).toBe('https://parley-test.slack.com/');
    expect(await h.api.teamUrl()).toBe('https://parley-test.slack.com/');
    expect(slack.callsOf('auth.test').length).toBeLessThanOrEqual(1);
  });
});
