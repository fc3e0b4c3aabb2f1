import { describe, expect, it } from 'vitest';
import { myInbox } from '../../../src/queries/my-inbox.ts';
import { markInternalChatRead, sendInternalMessage } from '../../../src/use-cases/internal-chat.ts';
import { toViewer } from '../../../src/use-cases/load.ts';
import { createTestDb } from '../../support/test-db.ts';
import { as, ctxFor, refusal, workspace } from './support.ts';

const db = await createTestDb();
const ws = await workspace(db);

const chatItem = async (user: typeof ws.alice, chatId: string) => {
  const page = await myInbox(db.em(), toViewer(user));
  return page.items.find((i) => i.id === chatId);
};

describe('internal chat read state', () => {
  it('R12: an internal message is unread for the recipient until they view it, never for the sender', async () => {
    const { chat } = await sendInternalMessage(ctxFor(db), as(ws.alice), {
      toUserId: ws.bob.id,
      text: 'Got a minute?',
    });
    expect(await chatItem(ws.alice, chat.id)).toMatchObject({ kind: 'internal', unread: false });
    expect(await chatItem(ws.bob, chat.id)).toMatchObject({ kind: 'internal', unread: true });

    await markInternalChatRead(ctxFor(db), as(ws.bob), { chatId: chat.id });
    expect(await chatItem(ws.bob, chat.id)).toMatchObject({ unread: false });

    await sendInternalMessage(ctxFor(db), as(ws.alice), { toUserId: ws.bob.id, text: 'About #1042' });
    expect(await chatItem(ws.bob, chat.id)).toMatchObject({ unread: true });
  });

  it('R25: only the two users of a chat can mark it read', async () => {
    const { chat } = await sendInternalMessage(ctxFor(db), as(ws.alice), {
      toUserId: ws.bob.id,
      text: 'private',
    });
    await refusal(markInternalChatRead(ctxFor(db), as(ws.admin), { chatId: chat.id }), 'not_found');
  });
});
