import { HttpResponse, http } from 'msw';
import { beforeAll, describe, expect, it } from 'vitest';
import { InternalChat, InternalMessage, User } from '../../src/db/entities/index.ts';
import { chatPair } from '../../src/domain/internal-chat.ts';
import type { TeamsUser } from '../support/fake-teams.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { teamsPeople } from '../support/teams-people.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * R25 across platforms: a Slack user writes to a teammate who works in Teams (named by email, as
 * a Teams user cannot be mentioned in Slack); the message is a card in his personal chat with
 * Parley, his reply quoting it reaches her Slack DM, and he can start one from Teams too. Signed
 * Slack requests and signed Teams activities against the Slack and Teams fakes.
 */
const db = await createTestDb();
const h = slackHarness(db, { teams: true });
const people = teamsPeople(h.teams, { team: 'team-unused', channel: '19:unused@thread.tacv2' });
let ws: Workspace;
let bob: TeamsUser;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  bob = h.teams.addUser({ name: 'Bob', email: 'bob@acme.test' });
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
  await db.em().nativeUpdate(User, { id: ws.bob.id }, { teamsUserId: bob.aadObjectId });
});

const inAliceDm = (text: string) =>
  h.slack.posts.filter(
    (p) => p.channel === 'D_U_ALICE' && p.bot_id && !p.thread_ts && h.slack.visible(p).includes(text),
  );
/** The internal messages Parley posted in Bob's chat (its dashboard card there lists chats too). */
const inBobChat = (text: string) =>
  h.teams
    .chatWith(bob.aadObjectId)
    .filter(
      (a) => a.byBot && h.teams.visible(a).includes('parley-internal:') && h.teams.visible(a).includes(text),
    );

/** Bob writes in his personal chat with Parley; `quoting`: a reply to (quote of) that message. */
function bobWrites(chatId: string, html: string, quoting?: string) {
  const activity = people.writesToApp(
    bob,
    chatId,
    quoting ? `<quoted messageId="${quoting}"/><p>${html}</p>` : `<p>${html}</p>`,
  );
  return {
    ...activity,
    textFormat: 'xml',
    ...(quoting ? { entities: [{ type: 'quotedReply', quotedReply: { messageId: quoting } }] } : {}),
  };
}

describe('internal chat between Slack and Teams (R25)', { timeout: 60_000 }, () => {
  it('R25: a Slack user writes to a Teams user by email; his quoted reply in Teams reaches her Slack DM, once', async () => {
    const res = await h.command('U_ALICE', 'dm bob@acme.test The Dana refund is approved');
    expect(((await res.json()) as { text: string }).text).toContain('Sent your internal message to Bob');
    const card = await eventually(() => inBobChat('The Dana refund is approved')[0]);
    expect(h.teams.visible(card)).toContain('Internal message from');
    expect(h.teams.visible(card)).toContain('Alice');
    // Parley has recorded its post (people answer a message some time after it shows).
    await settled(h.services);

    const reply = bobWrites(card.conversation, 'Thanks, I will tell her', card.id);
    expect((await h.teamsActivity(reply)).status).toBe(200);
    // Teams sends the activity again (its retry): still one message.
    expect((await h.teamsActivity(reply)).status).toBe(200);
    const post = await eventually(() => inAliceDm('Thanks, I will tell her')[0]);
    expect(h.slack.visible(post)).toContain('Internal message from Bob');
    await settled(h.services);
    expect(inAliceDm('Thanks, I will tell her')).toHaveLength(1);
    expect(h.slack.visible(post)).not.toContain('Internal note');
    const [userA, userB] = chatPair(ws.alice.id, ws.bob.id);
    const chat = await db.em().findOneOrFail(InternalChat, { userA, userB });
    const messages = await db.em().find(InternalMessage, { chat: chat.id }, { orderBy: { seq: 'asc' } });
    expect(messages.map((m) => [m.author.id, m.text])).toEqual([
      [ws.alice.id, 'The Dana refund is approved'],
      [ws.bob.id, 'Thanks, I will tell her'],
    ]);

    // Alice answers in the thread of Bob's message in Slack: it reaches Bob's Teams chat.
    const written = h.slack.personWrites('D_U_ALICE', 'U_ALICE', 'note: she prefers email', post.ts);
    await h.event({
      type: 'message',
      channel: 'D_U_ALICE',
      channel_type: 'im',
      user: 'U_ALICE',
      text: 'note: she prefers email',
      ts: written.ts,
      thread_ts: post.ts,
    });
    const noteCard = await eventually(() => inBobChat('she prefers email')[0]);
    expect(h.teams.visible(noteCard)).toContain('Internal note from');
    // His dashboard card in the same chat lists the chat in his inbox, as internal.
    await eventually(() =>
      h.teams
        .chatWith(bob.aadObjectId)
        .map(h.teams.visible)
        .find(
          (v) =>
            !v.includes('parley-internal:') && v.includes('Internal chat') && v.includes('she prefers email'),
        ),
    );
  });

  it('R25: a Teams user starts an internal chat from his chat with Parley by naming a Slack user', async () => {
    const chatId = h.teams.chatWith(bob.aadObjectId)[0]!.conversation;
    expect((await h.teamsActivity(bobWrites(chatId, 'dm "Alice" Can you cover my shift?'))).status).toBe(200);
    await eventually(() => inAliceDm('Can you cover my shift?')[0]);
    const answers = h.teams
      .chatWith(bob.aadObjectId)
      .filter((a) => a.byBot)
      .map(h.teams.visible);
    expect(answers.some((a) => a.includes('Sent your internal message to Alice'))).toBe(true);
    await settled(h.services);
  });

  it('R25: a file Bob attaches to his quoted reply in Teams reaches Alice in Slack, in the thread of his message', async () => {
    const SHAREPOINT = 'https://acme-my.sharepoint.com/personal/bob/_layouts/15/download.aspx';
    h.server.use(
      http.get(
        SHAREPOINT,
        () => new HttpResponse('%PDF-1.7 rota', { headers: { 'content-type': 'application/pdf' } }),
      ),
    );
    const card = inBobChat('The Dana refund is approved')[0]!;
    const reply = {
      ...bobWrites(card.conversation, 'The new rota', card.id),
      attachments: [
        {
          contentType: 'application/vnd.microsoft.teams.file.download.info',
          name: 'rota.pdf',
          content: { downloadUrl: `${SHAREPOINT}?UniqueId=7&tempauth=v1.x`, uniqueId: '7', fileType: 'pdf' },
        },
      ],
    };
    expect((await h.teamsActivity(reply)).status).toBe(200);
    const post = await eventually(() => inAliceDm('The new rota')[0]);
    expect(h.slack.visible(post)).toContain('rota.pdf');
    const shared = await eventually(() =>
      h.slack.threadOf('D_U_ALICE', post.ts).find((p) => p.files?.some((f) => f.name === 'rota.pdf')),
    );
    expect(h.slack.uploads.get(shared.files![0]!.id)?.length).toBe('%PDF-1.7 rota'.length);
    await settled(h.services);
  });
});
