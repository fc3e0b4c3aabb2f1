import { beforeAll, describe, expect, it } from 'vitest';
import { CARD_VERBS } from '../../../adapters/surfaces/teams/ports.ts';
import { Message, User } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { saveSavedReply } from '../../../src/use-cases/saved-replies.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { inboundHarness } from './inbound-harness.ts';

/** R40 on Teams: `@Parley saved <name>` in a post's thread, and the Reply… dialog's picker. */
const db = await createTestDb();
const h = inboundHarness(db);
let ws: Workspace;
const alice = h.teams.addUser({ name: 'Alice Agent', email: 'alice@acme.test' });

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { teamsUserId: alice.aadObjectId });
  await saveSavedReply({ em: db.em() }, userActor(ws.alice.id), {
    name: 'greet',
    text: 'Hi {contact.firstName}, {agent.firstName} here',
  });
});

const parley = { type: 'mention', text: '<at>Parley</at>', mentioned: { id: h.teams.botId, name: 'Parley' } };
const replies = async (conversationId: string) =>
  (await db.em().fork().find(Message, { conversation: conversationId, kind: 'reply' })).map((m) => m.text);
const dialog = (conversationId: string, inputs: Record<string, unknown> = {}) => ({
  data: { verb: CARD_VERBS.reply, conversationId, ...inputs },
  context: { theme: 'default' },
});
type Task = { task?: { type: string; value: unknown } };

describe('R40: saved replies in Teams', { timeout: 30_000 }, () => {
  it('R40: `@Parley saved greet` in a post’s thread sends it, placeholders filled in', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    await h.post(
      h.channelMessage(alice, threadId, '<p><at>Parley</at> saved greet</p>', { entities: [parley] }),
    );
    const first = conv.contact.name!.split(' ')[0];
    expect(await replies(conv.id)).toEqual([`Hi ${first}, Alice here`]);
  });

  it('R40: Reply… offers the saved replies; a pick is sent, a pick with a text is refused in the dialog', async () => {
    const conv = await h.newConversation(ws);
    const { threadId } = await h.channelPost(conv);
    const opened = (await (
      await h.invoke(alice, { threadId }, 'task/fetch', dialog(conv.id))
    ).json()) as Task;
    expect(JSON.stringify(opened)).toContain('"value":"greet"');
    const both = (await (
      await h.invoke(
        alice,
        { threadId },
        'task/submit',
        dialog(conv.id, { saved: 'greet', text: 'Mine too' }),
      )
    ).json()) as Task;
    expect(JSON.stringify(both)).toContain('one of them, not both');
    expect(await replies(conv.id)).toEqual([]);
    await h.invoke(alice, { threadId }, 'task/submit', dialog(conv.id, { saved: 'greet', text: '' }));
    expect(await replies(conv.id)).toEqual([`Hi ${conv.contact.name!.split(' ')[0]}, Alice here`]);
  });
});
