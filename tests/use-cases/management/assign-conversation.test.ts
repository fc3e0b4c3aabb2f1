import { describe, expect, it } from 'vitest';
import { Conversation } from '../../../src/db/entities/index.ts';
import { assignConversation, assignToMe, unassign } from '../../../src/use-cases/assign-conversation.ts';
import { createTestDb } from '../../support/test-db.ts';
import { addUser, as, ctxFor, lastLine, openConv, refusal, reload, workspace } from './support.ts';

const db = await createTestDb();
const ws = await workspace(db);

/** My inbox as a query would build it: open conversations the user is assigned to. */
async function myInbox(userId: string): Promise<string[]> {
  const convs = await db.em().find(Conversation, { assigneeIds: { $contains: [userId] }, status: 'open' });
  return convs.map((c) => c.id);
}

describe('assignConversation', () => {
  it('R15: an agent assigns a conversation to several users of the group; the timeline says who', async () => {
    const conv = await openConv(db, ws);
    const result = await assignConversation(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      assigneeIds: [ws.alice.id, ws.bob.id],
    });
    expect((await reload(db, conv.id)).assigneeIds).toEqual([ws.alice.id, ws.bob.id]);
    expect(await lastLine(db, conv.id)).toBe('Alice assigned themselves and Bob');
    expect(result.events).toEqual([
      { type: 'conversation.updated', conversationId: conv.id, groupId: ws.group.id, change: 'assigned' },
    ]);
    expect(await myInbox(ws.bob.id)).toContain(conv.id);
  });

  it("R15: reassigning transfers the conversation: it leaves the old assignee's My inbox and enters the new one's", async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    expect(await myInbox(ws.alice.id)).toContain(conv.id);
    await assignConversation(ctxFor(db), as(ws.admin), { conversationId: conv.id, assigneeIds: [ws.bob.id] });
    expect(await myInbox(ws.alice.id)).not.toContain(conv.id);
    expect(await myInbox(ws.bob.id)).toContain(conv.id);
    expect(await lastLine(db, conv.id)).toBe('Ada assigned Bob; Alice is no longer assigned');
  });

  it('R15: unassign empties the list; assignToMe adds the acting user to the assignees', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    await assignToMe(ctxFor(db), as(ws.bob), { conversationId: conv.id });
    expect((await reload(db, conv.id)).assigneeIds).toEqual([ws.alice.id, ws.bob.id]);
    await unassign(ctxFor(db), as(ws.bob), { conversationId: conv.id });
    expect((await reload(db, conv.id)).assigneeIds).toEqual([]);
    expect(await lastLine(db, conv.id)).toBe('Bob unassigned Alice and themselves');
  });

  it('R15: assigning the same list again changes nothing and writes no line', async () => {
    const conv = await openConv(db, ws, { assignees: [ws.alice] });
    const result = await assignConversation(ctxFor(db), as(ws.bob), {
      conversationId: conv.id,
      assigneeIds: [ws.alice.id],
    });
    expect(result.changed).toBe(false);
    expect(result.events).toEqual([]);
    expect((await reload(db, conv.id)).lastSeq).toBe(1);
  });

  it('R15: assigning a user of another group is refused, naming them', async () => {
    const conv = await openConv(db, ws);
    const error = await refusal(
      assignConversation(ctxFor(db), as(ws.alice), {
        conversationId: conv.id,
        assigneeIds: [ws.bob.id, ws.carol.id],
      }),
      'rule_violation',
      'R15',
    );
    expect(error.message).toContain('Carol');
    expect(error.message).toContain('Support');
    expect((await reload(db, conv.id)).assigneeIds).toEqual([]);
  });

  it('R15: assigning an inactive user is refused, naming them', async () => {
    const conv = await openConv(db, ws);
    const gone = await addUser(db, ws, 'Gus', { active: false });
    const error = await refusal(
      assignConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id, assigneeIds: [gone.id] }),
      'rule_violation',
      'R15',
    );
    expect(error.message).toMatch(/^Gus is not an active user of Support/);
  });

  it('R18: assigning someone outside the visible list of a restricted conversation is refused', async () => {
    const conv = await openConv(db, ws, { visibleTo: [ws.alice] });
    const error = await refusal(
      assignConversation(ctxFor(db), as(ws.alice), { conversationId: conv.id, assigneeIds: [ws.bob.id] }),
      'rule_violation',
      'R18',
    );
    expect(error.message).toContain('Bob is not on the list');
    await assignConversation(ctxFor(db), as(ws.alice), {
      conversationId: conv.id,
      assigneeIds: [ws.alice.id],
    });
    expect((await reload(db, conv.id)).assigneeIds).toEqual([ws.alice.id]);
  });

  it('an invalid request is refused before anything is loaded', async () => {
    const conv = await openConv(db, ws);
    await refusal(
      assignConversation(ctxFor(db), as(ws.alice), {
        conversationId: conv.id,
        assigneeIds: ['not-a-user-id'],
      }),
      'validation_failed',
    );
  });
});
