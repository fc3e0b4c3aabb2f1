import { HttpResponse, http } from 'msw';
import { beforeAll, describe, expect, it } from 'vitest';
import { InternalChat, InternalMessage, InternalPost, User } from '../../src/db/entities/index.ts';
import { chatPair } from '../../src/domain/internal-chat.ts';
import { homeClick } from '../adapters/slack/interactivity-support.ts';
import { BOT, type SlackPost } from '../support/fake-slack.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * R25 through the doors Slack users have: `/parley dm …` (and the same typed in the app's DM)
 * writes an internal message, the recipient finds it in their DM with Parley, a reply in its
 * thread comes back to the sender, App Home lists the chat in My inbox and Team inbox as internal,
 * and only an admin deletes it. All as signed Slack requests against the Slack fake.
 */
const db = await createTestDb();
const h = slackHarness(db);
let ws: Workspace;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.admin.id }, { slackUserId: 'U_ADA' });
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
  await db.em().nativeUpdate(User, { id: ws.bob.id }, { slackUserId: 'U_BOB' });
});

async function say(user: string, text: string): Promise<string> {
  const res = await h.command(user, text);
  expect(res.status).toBe(200);
  return ((await res.json()) as { text: string }).text;
}

/** The app's top-level posts in a user's DM with it that show `text`. */
const inDm = (user: string, text: string) =>
  h.slack.posts.filter(
    (p) => p.channel === `D_${user}` && p.bot_id && !p.thread_ts && h.slack.visible(p).includes(text),
  );

/** A person replies in the thread of `post` in their DM with the app, as Slack sends the event. */
async function repliesInThread(user: string, post: SlackPost, text: string, eventId?: string) {
  const written = h.slack.personWrites(post.channel, user, text, post.ts);
  const event = {
    type: 'message',
    channel: post.channel,
    channel_type: 'im',
    user,
    text,
    ts: written.ts,
    thread_ts: post.ts,
  };
  const res = await h.event(event, eventId ? { eventId } : {});
  expect(res.status).toBe(200);
  return event;
}

const chatOf = async (a: string, b: string) => {
  const [userA, userB] = chatPair(a, b);
  return db.em().findOne(InternalChat, { userA, userB });
};

async function homeOf(user: string): Promise<string> {
  h.slack.homes.delete(user);
  await h.event({ type: 'app_home_opened', user, tab: 'home', channel: `D_${user}` });
  await eventually(() => h.slack.homes.has(user));
  return JSON.stringify(h.slack.homes.get(user));
}

describe('internal chat on Slack (R25)', { timeout: 60_000 }, () => {
  it('R25: Alice writes to Bob with /parley dm, Bob gets it in his DM, answers in its thread, Alice gets the answer; both inboxes list it as internal', async () => {
    expect(await say('U_ALICE', 'dm <@U_BOB> Can you take the Dana call tomorrow?')).toContain(
      'Sent your internal message to Bob',
    );
    const toBob = await eventually(() => inDm('U_BOB', 'Can you take the Dana call tomorrow?')[0]);
    // Parley has recorded its post (people answer a message some time after it shows).
    await settled(h.services);
    expect(h.slack.visible(toBob)).toContain('Internal message from Alice');
    // Nothing of it in the group's channel: an internal chat is private between its two users.
    expect(h.slack.readableBy('U_CAROL', ['C_SUPPORT'])).not.toContain('Dana call tomorrow');

    // Bob answers in the thread; Slack sends the event twice (its retry): one message.
    const event = await repliesInThread('U_BOB', toBob, 'Yes, I will call her at 10');
    expect((await h.event(event, { retryNum: 1 })).status).toBe(200);
    const toAlice = await eventually(() => inDm('U_ALICE', 'Yes, I will call her at 10')[0]);
    expect(h.slack.visible(toAlice)).toContain('Internal message from Bob');
    await settled(h.services);
    const chat = (await chatOf(ws.alice.id, ws.bob.id))!;
    const messages = await db.em().find(InternalMessage, { chat: chat.id }, { orderBy: { seq: 'asc' } });
    expect(messages.map((m) => [m.author.id, m.text])).toEqual([
      [ws.alice.id, 'Can you take the Dana call tomorrow?'],
      [ws.bob.id, 'Yes, I will call her at 10'],
    ]);
    // Each message went once, to the other user only.
    expect(inDm('U_BOB', 'Yes, I will call her at 10')).toHaveLength(0);
    expect(inDm('U_ALICE', 'Yes, I will call her at 10')).toHaveLength(1);

    // App Home: the chat is in Alice's My inbox and Team inbox, marked internal, unread for her.
    const home = await homeOf('U_ALICE');
    expect(home).toContain(`home_my_${chat.id}`);
    expect(home).toContain(`home_team_${chat.id}`);
    expect(home).toContain('Internal chat');
    expect(home).toContain('Yes, I will call her at 10');
    const view = h.slack.homes.get('U_ALICE') as {
      blocks: { block_id?: string; text?: unknown; accessory?: { url?: string } }[];
    };
    const row = view.blocks.find((b) => b.block_id === `home_my_${chat.id}`)!;
    expect(JSON.stringify(row.text)).toContain('*Bob*'); // bold: unread
    // Its Open link goes to Bob's answer in her DM with Parley; opening it marks the chat read.
    expect(row.accessory?.url).toBe(`${BOT.teamUrl}archives/D_U_ALICE/p${toAlice.ts.replace('.', '')}`);
    const res = await h.interact(homeClick('U_ALICE', { action_id: 'home_open', value: chat.id }));
    expect(res.status).toBe(200);
    await eventually(async () => {
      const read = await db.em().findOneOrFail(InternalChat, chat.id);
      return (read.userA.id === ws.alice.id ? read.readSeqA : read.readSeqB) === 2;
    });
    // Bob's own list shows it too.
    expect(await homeOf('U_BOB')).toContain(`home_my_${chat.id}`);
  });

  it('R25: a file Bob shares in the thread of an internal message reaches Alice, in the thread of its post', async () => {
    h.server.use(
      http.get('https://files.slack.test/*', () =>
        HttpResponse.arrayBuffer(new TextEncoder().encode('%PDF-report').buffer, {
          headers: { 'content-type': 'application/pdf' },
        }),
      ),
    );
    const toBob = inDm('U_BOB', 'Can you take the Dana call tomorrow?')[0]!;
    const typed = h.slack.personWrites('D_U_BOB', 'U_BOB', 'The call notes', toBob.ts);
    const res = await h.event({
      type: 'message',
      subtype: 'file_share',
      channel: 'D_U_BOB',
      channel_type: 'im',
      user: 'U_BOB',
      text: 'The call notes',
      ts: typed.ts,
      thread_ts: toBob.ts,
      files: [
        {
          id: `F${typed.ts}`,
          name: 'report.pdf',
          mimetype: 'application/pdf',
          url_private_download: 'https://files.slack.test/files-pri/T1-F9/report.pdf',
        },
      ],
    });
    expect(res.status).toBe(200);
    const post = await eventually(() => inDm('U_ALICE', 'The call notes')[0]);
    expect(h.slack.visible(post)).toContain('report.pdf');
    const shared = await eventually(() =>
      h.slack.threadOf('D_U_ALICE', post.ts).find((p) => p.files?.some((f) => f.name === 'report.pdf')),
    );
    const file = h.slack.uploads.get(shared.files![0]!.id)!;
    expect(file.length).toBe('%PDF-report'.length);
    await settled(h.services);
    const stored = await db.em().findOneOrFail(InternalMessage, { text: 'The call notes' });
    expect(stored.attachments.map((a) => [a.name, a.status])).toEqual([['report.pdf', 'stored']]);
  });

  it('R25: a note to oneself, typed in the app’s DM; replies in its thread add to the notes without being posted back', async () => {
    const written = h.slack.personWrites(
      'D_U_ALICE',
      'U_ALICE',
      'dm me note: call Dana back about the refund',
    );
    const res = await h.event({
      type: 'message',
      channel: 'D_U_ALICE',
      channel_type: 'im',
      user: 'U_ALICE',
      text: 'dm me note: call Dana back about the refund',
      ts: written.ts,
    });
    expect(res.status).toBe(200);
    const note = await eventually(() => inDm('U_ALICE', 'call Dana back about the refund')[0]);
    expect(h.slack.visible(note)).toContain('Note to yourself');
    await settled(h.services);
    await repliesInThread('U_ALICE', note, 'Done, refund approved');
    const chat = (await chatOf(ws.alice.id, ws.alice.id))!;
    // Slack's events are answered before they are handled: wait for it to be recorded.
    await eventually(async () => (await db.em().count(InternalMessage, { chat: chat.id })) === 2);
    await settled(h.services);
    const messages = await db.em().find(InternalMessage, { chat: chat.id }, { orderBy: { seq: 'asc' } });
    expect(messages.map((m) => [m.kind, m.text])).toEqual([
      ['note', 'call Dana back about the refund'],
      ['message', 'Done, refund approved'],
    ]);
    // Written in her own DM thread: already there, not posted again by the app.
    expect(inDm('U_ALICE', 'Done, refund approved')).toHaveLength(0);
    expect(messages[1]!.postedAt).not.toBeNull();
  });

  it('R25: a user of another account, an unknown mention or a missing text are refused with what to do', async () => {
    expect(await say('U_ALICE', 'dm <@U_NOBODY> hello')).toContain('not linked to a Parley user');
    expect(await say('U_ALICE', 'dm nobody@acme.test hello')).toContain('no Parley user with the email');
    expect(await say('U_ALICE', 'dm <@U_BOB>')).toContain('Write the message after who it is for.');
    expect(await say('U_ALICE', 'dm @bob hi')).toContain('is not a mention');
    // Typed to the app with a file: a command carries none, so nothing is sent rather than the file dropped.
    const before = await db.em().count(InternalMessage, {});
    const typed = h.slack.personWrites('D_U_ALICE', 'U_ALICE', 'dm <@U_BOB> see attached');
    await h.event({
      type: 'message',
      subtype: 'file_share',
      channel: 'D_U_ALICE',
      channel_type: 'im',
      user: 'U_ALICE',
      text: 'dm <@U_BOB> see attached',
      ts: typed.ts,
      files: [
        {
          id: 'F_X',
          name: 'x.pdf',
          mimetype: 'application/pdf',
          url_private_download: 'https://files.slack.test/x.pdf',
        },
      ],
    });
    await eventually(() => h.slack.ephemerals.some((e) => e.text.includes('a command carries no files')));
    await settled(h.services);
    expect(await db.em().count(InternalMessage, {})).toBe(before);
  });

  it('R25: only an admin deletes an internal chat; a reply in its old thread is then refused', async () => {
    const chat = (await chatOf(ws.alice.id, ws.bob.id))!;
    expect(await say('U_ALICE', 'dm delete <@U_BOB> confirm')).toContain(
      'Only an admin can delete an internal chat',
    );
    expect(await say('U_ADA', 'dm delete <@U_ALICE> <@U_BOB>')).toContain('add `confirm` at the end');
    await settled(h.services);
    expect(await db.em().findOne(InternalChat, chat.id)).not.toBeNull();

    expect(await say('U_ADA', 'dm delete <@U_ALICE> <@U_BOB> confirm')).toContain(
      'Deleted the internal chat between Alice and Bob (3 messages)',
    );
    expect(await db.em().findOne(InternalChat, chat.id)).toBeNull();
    expect(await db.em().count(InternalMessage, { chat: chat.id })).toBe(0);
    await settled(h.services);
    expect(await homeOf('U_BOB')).not.toContain(chat.id);

    const toBob = inDm('U_BOB', 'Can you take the Dana call tomorrow?')[0]!;
    await repliesInThread('U_BOB', toBob, 'One more thing');
    await eventually(() =>
      h.slack.ephemerals.some((e) => e.channel === 'D_U_BOB' && e.text.includes('Nothing was sent')),
    );
    await settled(h.services);
    expect(inDm('U_ALICE', 'One more thing')).toHaveLength(0);
  });

  it('DESIGN 4: a DM post Slack took but never answered is found again, not posted twice', async () => {
    h.slack.failNext(
      'chat.postMessage',
      { kind: 'accept-then-drop' },
      (a) => a.channel === 'D_U_BOB' && !a.thread_ts,
    );
    expect(await say('U_ALICE', 'dm <@U_BOB> Posted once only')).toContain(
      'Sent your internal message to Bob',
    );
    await eventually(async () => {
      const m = await db.em().findOne(InternalMessage, { text: 'Posted once only' });
      return m?.postedAt != null;
    });
    await settled(h.services);
    expect(inDm('U_BOB', 'Posted once only')).toHaveLength(1);
    expect(h.slack.callsOf('conversations.history').some((c) => c.args.channel === 'D_U_BOB')).toBe(true);

    // A reply that comes before Parley recorded its post still continues the chat: the post's
    // metadata names the message.
    const toBob = inDm('U_BOB', 'Posted once only')[0]!;
    await db.em().nativeDelete(InternalPost, { surface: 'slack', user: ws.bob.id });
    await repliesInThread('U_BOB', toBob, 'Got it, once');
    await eventually(() => inDm('U_ALICE', 'Got it, once')[0]);
  });
});
