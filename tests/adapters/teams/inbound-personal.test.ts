import { beforeAll, describe, expect, it } from 'vitest';
import { Conversation, Message, TeamsPersonalChat, User } from '../../../src/db/entities/index.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { inboundHarness, MEDIA_URL, SHAREPOINT_URL } from './inbound-harness.ts';

/**
 * Issue 10, the personal chat with the app (R30, R31): every command of the shared grammar, a
 * quote of a conversation's message answers its customer, and files people attach reach the
 * customer (R29) — fetched with the bot token from Teams' media store only, never sent elsewhere.
 */
const db = await createTestDb();
const h = inboundHarness(db);
let ws: Workspace;
const alice = h.teams.addUser({ name: 'Alice Agent', email: 'alice@acme.test' });

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { teamsUserId: alice.aadObjectId });
});

/** A conversation restricted to Alice, with its card in her personal chat (R31). */
async function restrictedToAlice() {
  const conv = await h.newConversation(ws);
  await db
    .em()
    .nativeUpdate(Conversation, { id: conv.id }, { visibleToIds: [ws.alice.id], assigneeIds: [ws.alice.id] });
  const { root } = await h.personalCard(conv, ws.alice, alice);
  return { conv, root };
}
const quoting = (messageId: string) => ({ entities: [{ type: 'quotedReply', quotedReply: { messageId } }] });
const reply = (conversationId: string) =>
  db.em().findOne(Message, { conversation: conversationId, kind: 'reply' });

describe('the personal chat with Parley', { timeout: 30_000 }, () => {
  it('R30: takes every command; plain words get a short help that names `reply #N`', async () => {
    const conv = await h.newConversation(ws, 'Hi there');
    await h.post(await h.personalMessage(alice, 'inbox team'));
    expect(h.told(alice).at(-1)).toMatch(new RegExp(`^Team inbox\\n• #${conv.number} Dana`));
    await h.post(await h.personalMessage(alice, 'hello?'));
    expect(h.told(alice).at(-1)).toContain('`reply #1042 your text`');
    await h.post(await h.personalMessage(alice, '<p>help</p>'));
    const help = h.told(alice).at(-1)!;
    expect(help).toContain('`close [#1042]`');
    expect(help).not.toContain('/parley');
    await h.post(await h.personalMessage(alice, `note #${conv.number} Called them back`));
    expect((await db.em().find(Message, { conversation: conv.id, kind: 'note' })).map((n) => n.text)).toEqual(
      ['Called them back'],
    );
    // A client that sends bare text (no HTML) keeps its lines; `<` typed is text, not markup.
    await h.post(await h.personalMessage(alice, `reply #${conv.number} Hi Dana,\nit ships today (2 < 3)`));
    expect((await reply(conv.id))?.text).toBe('Hi Dana,\nit ships today (2 < 3)');
  });

  it('R31: a quote of a conversation’s card answers its customer; `@Parley close` in a quote acts on it', async () => {
    const { conv, root } = await restrictedToAlice();
    await h.post(
      await h.personalMessage(
        alice,
        `<quoted messageId="${root}"/><p>Thanks, looking into it</p>`,
        quoting(root),
      ),
    );
    expect((await reply(conv.id))?.text).toBe('Thanks, looking into it');
    const parley = {
      type: 'mention',
      text: '<at>Parley</at>',
      mentioned: { id: h.teams.botId, name: 'Parley' },
    };
    await h.post(
      await h.personalMessage(alice, `<quoted messageId="${root}"/><at>Parley</at> close`, {
        entities: [{ type: 'quotedReply', quotedReply: { messageId: root } }, parley],
      }),
    );
    expect((await db.em().findOneOrFail(Conversation, conv.id)).status).toBe('closed');
    expect(h.told(alice).at(-1)).toBe(`#${conv.number} is closed.`);
  });

  it('R29: a pasted image and an attached file go to the customer; the bot token goes to Teams only', async () => {
    const { conv, root } = await restrictedToAlice();
    const activity = await h.personalMessage(alice, `<quoted messageId="${root}"/>Your invoice and a photo`, {
      ...quoting(root),
      attachments: [
        {
          contentType: 'image/png',
          contentUrl: `${MEDIA_URL}/0-eus-d1-abc/views/original`,
          name: 'photo.png',
        },
        {
          contentType: 'application/vnd.microsoft.teams.file.download.info',
          name: 'invoice.pdf',
          content: {
            downloadUrl: `${SHAREPOINT_URL}?UniqueId=1&tempauth=v1.abc`,
            uniqueId: '1',
            fileType: 'pdf',
          },
        },
      ],
    });
    await h.post(activity);
    const sent = await reply(conv.id);
    expect(sent?.text).toBe('Your invoice and a photo');
    expect(sent?.attachments.map((a) => [a.name, a.kind, a.mimeType, a.status])).toEqual([
      ['photo.png', 'image', 'image/png', 'stored'],
      ['invoice.pdf', 'document', 'application/pdf', 'stored'],
    ]);
    expect(h.downloads.map((d) => [new URL(d.url).host, h.auth.isIssued(d.authorization)])).toEqual([
      ['smba.teams.test', true],
      ['acme-my.sharepoint.com', false],
    ]);
    expect(h.downloads[1]!.authorization).toBeNull();
    expect(await h.deliver(sent!.id)).toMatchObject({ outcome: 'sent' });
    expect(h.customer.sent.at(-1)?.attachments).toHaveLength(2);
  });

  it('R29: in a channel, an image pasted into the message (only in its HTML) goes to the customer', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    const src = `${MEDIA_URL}/0-wus-d2-inline/views/original`;
    const emoji =
      '<img alt="🙂" itemtype="http://schema.skype.com/Emoji" src="https://statics.teams.cdn.office.net/e.png">';
    await h.post(
      h.channelMessage(
        alice,
        threadId,
        `<p>Here ${emoji}</p><p><img itemtype="http://schema.skype.com/AMSImage" src="${src}" width="250"></p>`,
      ),
    );
    const sent = await reply(conv.id);
    expect(sent?.text).toBe('Here 🙂');
    expect(sent?.attachments.map((a) => [a.kind, a.mimeType])).toEqual([['image', 'image/png']]);
    expect(h.auth.isIssued(h.downloads.at(-1)?.authorization)).toBe(true);
  });

  it('a file from a channel’s SharePoint, or one sent with a command, is refused with what to do; nothing is sent', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    await h.post(
      h.channelMessage(alice, threadId, 'See the contract', {
        attachments: [
          {
            contentType: 'reference',
            contentUrl: 'https://acme.sharepoint.com/sites/support/contract.docx',
            name: 'contract.docx',
          },
        ],
      }),
    );
    expect(await reply(conv.id)).toBeNull();
    expect(h.told(alice).at(-1)).toContain(
      'cannot fetch "contract.docx" from the channel\'s SharePoint files',
    );
    await h.post(
      await h.personalMessage(alice, `reply #${conv.number} here it is`, {
        attachments: [
          { contentType: 'image/png', contentUrl: `${MEDIA_URL}/x/views/original`, name: 'x.png' },
        ],
      }),
    );
    expect(await reply(conv.id)).toBeNull();
    expect(h.told(alice).at(-1)).toContain('reply to (quote) one of their conversation’s messages here');
  });

  it('R26/R32: `dashboard` shows the dashboard card in the chat, which is kept for later redraws', async () => {
    const before = h.surface.homes.length;
    await h.post(await h.personalMessage(alice, 'dashboard'));
    expect(h.surface.homes.slice(before)).toEqual([{ userId: ws.alice.id, force: true }]);
    expect(await db.em().count(TeamsPersonalChat, { teamsUserId: alice.aadObjectId })).toBe(1);
  });

  it('R33: installing the app greets a linked person, and tells anyone else how to get linked', async () => {
    const install = async (person: typeof alice) => ({
      ...(await h.personalMessage(person, '')),
      type: 'installationUpdate',
      action: 'add',
      text: undefined,
    });
    await h.post(await install(alice));
    expect(h.told(alice).at(-1)).toMatch(/^Hi Alice, Parley is ready\./);
    const newcomer = h.teams.addUser({ name: 'Nora New', email: 'nora@elsewhere.test' });
    await h.post(await install(newcomer));
    expect(h.told(newcomer)).toEqual([
      expect.stringContaining(`link-teams their@email ${newcomer.aadObjectId}`),
    ]);
  });
});
