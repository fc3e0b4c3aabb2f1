import { beforeAll, describe, expect, it } from 'vitest';
import { Message, User } from '../../../src/db/entities/index.ts';
import { updateGroup } from '../../../src/setup/groups.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { inboundHarness } from './inbound-harness.ts';

/**
 * R41 on Teams: in a group whose replies are explicit, a plain message in a conversation's post
 * thread is a note (its author told once), and `@Parley reply`, Reply… and the "Send to customer"
 * message action reach the customer; in a `thread` group a message that only mentions teammates
 * stays a note.
 */
const db = await createTestDb();
const h = inboundHarness(db);
let ws: Workspace;
const alice = h.teams.addUser({ name: 'Alice Agent', email: 'alice@acme.test' });
const bob = h.teams.addUser({ name: 'Bob Agent', email: 'bob@acme.test' });

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { teamsUserId: alice.aadObjectId });
  await db.em().nativeUpdate(User, { id: ws.bob.id }, { teamsUserId: bob.aadObjectId });
});

const mention = (u: { id: string; name: string }) => ({
  type: 'mention',
  text: `<at>${u.name}</at>`,
  mentioned: { id: u.id, name: u.name },
});
const parley = () => mention({ id: h.teams.botId, name: 'Parley' });
const messagesOf = async (conversationId: string) =>
  (
    await db
      .em()
      .fork()
      .find(Message, { conversation: conversationId }, { orderBy: { seq: 'asc' } })
  )
    .filter((m) => m.kind === 'reply' || m.kind === 'note')
    .map((m) => [m.kind, m.text]);
const answerText = async (res: Response) =>
  ((await res.json()) as { task?: { type: string; value: string } }).task?.value;
const sendToCustomer = (
  person: typeof alice,
  threadId: string,
  root: string,
  message: { id: string; html: string },
) =>
  h.invoke(person, { threadId }, 'composeExtension/fetchTask', {
    commandId: 'sendToCustomer',
    commandContext: 'message',
    messagePayload: {
      id: message.id,
      replyToId: root,
      messageType: 'message',
      body: { contentType: 'html', content: message.html },
      from: { user: { id: alice.aadObjectId, displayName: alice.name, userIdentityType: 'aadUser' } },
      attachments: [],
    },
  });

describe('R41: reply mode in Teams', { timeout: 30_000 }, () => {
  it('R41: in an explicit group, thread messages are notes; @Parley reply and Send to customer reply, once each', async () => {
    await updateGroup(db.em(), ws.group.id, { replies: 'explicit' });
    try {
      const conv = await h.newConversation(ws);
      const { threadId, root } = await h.channelPost(conv);
      const first = h.channelMessage(alice, threadId, '<p>Asking the warehouse</p>');
      await h.post(first);
      await h.post(h.channelMessage(alice, threadId, '<p>Warehouse says Tuesday</p>'));
      expect(h.told(alice).filter((t) => t.includes('replies are explicit'))).toHaveLength(1);

      await h.post(
        h.channelMessage(alice, threadId, '<p><at>Parley</at> reply It ships on Tuesday</p>', {
          entities: [parley()],
        }),
      );
      const sent = await answerText(
        await sendToCustomer(bob, threadId, root, {
          id: String(first.id),
          html: '<p>Asking the warehouse</p>',
        }),
      );
      expect(sent).toBe(`Sent to the customer of #${conv.number}.`);
      const again = await answerText(
        await sendToCustomer(bob, threadId, root, {
          id: String(first.id),
          html: '<p>Asking the warehouse</p>',
        }),
      );
      expect(again).toContain('already sent');

      expect(await messagesOf(conv.id)).toEqual([
        ['note', 'Asking the warehouse'],
        ['note', 'Warehouse says Tuesday'],
        ['reply', 'It ships on Tuesday'],
        ['reply', 'Asking the warehouse'],
      ]);
    } finally {
      await updateGroup(db.em(), ws.group.id, { replies: 'thread' });
    }
  });

  it('R41: in a thread group, a message that only mentions teammates is a note and its author is told', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    await h.post(
      h.channelMessage(alice, threadId, '<p><at>Bob Agent</at></p>', { entities: [mention(bob)] }),
    );
    await h.post(
      h.channelMessage(alice, threadId, '<p><at>Bob Agent</at> calls you today</p>', {
        entities: [mention(bob)],
      }),
    );
    expect(await messagesOf(conv.id)).toEqual([
      ['note', '@Bob Agent'],
      ['reply', '@Bob Agent calls you today'],
    ]);
    expect(h.told(alice).at(-1)).toContain('only mentions teammates');
  });

  it('R41: Send to customer on a post by Parley, or from the personal chat, sends nothing and says why', async () => {
    const conv = await h.newConversation(ws);
    const { threadId, root } = await h.channelPost(conv);
    const bot = await h.invoke(alice, { threadId }, 'composeExtension/fetchTask', {
      commandId: 'sendToCustomer',
      commandContext: 'message',
      messagePayload: {
        id: root,
        body: { contentType: 'html', content: '' },
        from: { application: { id: 'x' } },
      },
    });
    expect(await answerText(bot)).toContain('post by Parley');
    const personal = await h.invoke(alice, { personal: true }, 'composeExtension/fetchTask', {
      commandId: 'sendToCustomer',
      messagePayload: { id: '1', body: { content: 'hi' }, from: { user: { id: alice.aadObjectId } } },
    });
    expect(await answerText(personal)).toContain('Reply…');
    expect(await messagesOf(conv.id)).toEqual([]);
  });
});
