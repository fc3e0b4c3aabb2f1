import { describe, expect, it } from 'vitest';
import { AuditEvent, InternalChat, InternalMessage } from '../../../src/db/entities/index.ts';
import { deleteInternalChat, sendInternalMessage } from '../../../src/use-cases/internal-chat.ts';
import { createTestDb } from '../../support/test-db.ts';
import { addUser, as, ctxFor, outsider, refusal, workspace } from './support.ts';

const db = await createTestDb();
const ws = await workspace(db);

describe('sendInternalMessage', () => {
  it('R25: two users share one chat whichever of them writes, with messages numbered in order', async () => {
    const first = await sendInternalMessage(ctxFor(db), as(ws.alice), {
      toUserId: ws.bob.id,
      text: 'Can you take #1042?',
    });
    const reply = await sendInternalMessage(ctxFor(db), as(ws.bob), {
      toUserId: ws.alice.id,
      text: 'Sure 👍',
    });
    expect(reply.chat.id).toBe(first.chat.id);
    const messages = await db
      .em()
      .find(InternalMessage, { chat: first.chat.id }, { orderBy: { seq: 'asc' } });
    expect(messages.map((m) => [m.seq, m.text])).toEqual([
      [1, 'Can you take #1042?'],
      [2, 'Sure 👍'],
    ]);
    expect(reply.events).toEqual([
      {
        type: 'internal.message_created',
        chatId: first.chat.id,
        messageId: reply.message.id,
        userIds: expect.arrayContaining([ws.alice.id, ws.bob.id]),
      },
    ]);
  });

  it('R25: a user can write to themselves, with notes and attachments', async () => {
    const result = await sendInternalMessage(ctxFor(db), as(ws.admin), {
      toUserId: ws.admin.id,
      kind: 'note',
      attachments: [{ id: 'att_1', kind: 'document', name: 'plan.pdf', mimeType: 'application/pdf' }],
    });
    const chat = await db.em().findOneOrFail(InternalChat, result.chat.id);
    expect([chat.userA.id, chat.userB.id]).toEqual([ws.admin.id, ws.admin.id]);
    expect(result.message.kind).toBe('note');
    expect(result.message.attachments[0]?.name).toBe('plan.pdf');
    expect(result.events[0]).toMatchObject({ userIds: [ws.admin.id] });
  });

  it('R25: there are no group chats: a list of recipients is refused by the input schema', async () => {
    const input = { toUserIds: [ws.bob.id, ws.admin.id], text: 'hi all' } as unknown as { toUserId: string };
    await refusal(sendInternalMessage(ctxFor(db), as(ws.alice), input), 'validation_failed');
    const asArray = { toUserId: [ws.bob.id, ws.admin.id], text: 'hi all' } as unknown as { toUserId: string };
    await refusal(sendInternalMessage(ctxFor(db), as(ws.alice), asArray), 'validation_failed');
  });

  it('R25: an empty message is refused', async () => {
    await refusal(
      sendInternalMessage(ctxFor(db), as(ws.alice), { toUserId: ws.bob.id, text: '  ' }),
      'validation_failed',
    );
  });

  it('R25: users of another account and inactive users cannot be written to', async () => {
    const other = await outsider(db);
    await refusal(
      sendInternalMessage(ctxFor(db), as(ws.alice), { toUserId: other.id, text: 'hello?' }),
      'not_found',
    );
    const gone = await addUser(db, ws, 'Gil', { active: false });
    const error = await refusal(
      sendInternalMessage(ctxFor(db), as(ws.alice), { toUserId: gone.id, text: 'hello?' }),
      'rule_violation',
      'R25',
    );
    expect(error.message).toContain('Gil');
  });

  it('R33: an inactive user cannot send internal messages', async () => {
    const gone = await addUser(db, ws, 'Gia', { active: false });
    await refusal(
      sendInternalMessage(ctxFor(db), as(gone), { toUserId: ws.alice.id, text: 'hi' }),
      'forbidden',
    );
  });

  it('R25: users of another group of the same account can chat', async () => {
    const result = await sendInternalMessage(ctxFor(db), as(ws.carol), {
      toUserId: ws.alice.id,
      text: 'Sales here',
    });
    expect(result.message.seq).toBe(1);
  });
});

describe('deleteInternalChat', () => {
  it('R25: only an admin can delete an internal chat; it goes with its messages', async () => {
    const { chat } = await sendInternalMessage(ctxFor(db), as(ws.bob), {
      toUserId: ws.bob.id,
      text: 'my notes',
    });
    const error = await refusal(
      deleteInternalChat(ctxFor(db), as(ws.bob), { chatId: chat.id }),
      'forbidden',
      'R25',
    );
    expect(error.message).toContain('Only an admin');
    const result = await deleteInternalChat(ctxFor(db), as(ws.admin), { chatId: chat.id });
    expect(result.removedMessages).toBe(1);
    expect(result.events).toEqual([{ type: 'internal.chat_deleted', chatId: chat.id, userIds: [ws.bob.id] }]);
    expect(await db.em().count(InternalChat, { id: chat.id })).toBe(0);
    expect(await db.em().count(InternalMessage, { chat: chat.id })).toBe(0);
    expect(
      await db.em().count(AuditEvent, { action: 'internal_chat.deleted', actorUserId: ws.admin.id }),
    ).toBe(1);
  });

  it("R33: an admin of another account cannot delete the account's chats", async () => {
    const { chat } = await sendInternalMessage(ctxFor(db), as(ws.alice), {
      toUserId: ws.bob.id,
      text: 'private',
    });
    const stranger = await outsider(db, 'admin');
    await refusal(deleteInternalChat(ctxFor(db), as(stranger), { chatId: chat.id }), 'not_found');
  });
});
