import { beforeAll, describe, expect, it } from 'vitest';
import { Contact, Message } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import {
  fillPlaceholders,
  placeholderValues,
  removeSavedReply,
  savedRepliesFor,
  saveSavedReply,
} from '../../../src/use-cases/saved-replies.ts';
import { sendSavedReply } from '../../../src/use-cases/send-saved-reply.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { ctxAt, customerWrites, hoursAfter, messagesOf } from './support.ts';

/** R40: saved replies, the team's and one's own, sent as a normal reply under the channel's rules. */
const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

const alice = () => userActor(ws.alice.id);
const admin = () => userActor(ws.admin.id);

async function conversationWith(name: string | null, at?: Date) {
  const { contact, phone } = await seedContact(db.em(), ws.account);
  await db.em().nativeUpdate(Contact, { id: contact.id }, { name });
  const { conversationId } = await customerWrites(db, { from: phone, text: 'Hello?', at });
  return conversationId;
}

describe('R40: saved replies', () => {
  it('R40: placeholders are filled for the contact and the agent; an unknown value leaves no gap', () => {
    const text =
      'Hi {contact.firstName}, {agent.firstName} here about #{conversation.number}. — {agent.name}';
    expect(fillPlaceholders(text, placeholderValues('Dana Smith', 'Alice Agent', 1042))).toBe(
      'Hi Dana, Alice here about #1042. — Alice Agent',
    );
    expect(fillPlaceholders('Hi {contact.firstName}, thanks!', placeholderValues(null, 'Alice', 1))).toBe(
      'Hi, thanks!',
    );
  });

  it('R40: a text with an unknown placeholder is refused when saved, naming the ones there are', async () => {
    const attempt = saveSavedReply(ctxAt(db), alice(), { name: 'oops', text: 'Hi {customer.name}' });
    await expect(attempt).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(attempt).rejects.toThrow(/\{customer\.name\} is not a placeholder.*\{contact\.firstName\}/);
  });

  it("R33: only an admin saves the team's replies; anyone saves their own, which comes first under the same name", async () => {
    await expect(
      saveSavedReply(ctxAt(db), alice(), { name: 'greeting', text: 'Team hello', team: true }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await saveSavedReply(ctxAt(db), admin(), { name: 'greeting', text: 'Hello from the team', team: true });
    await saveSavedReply(ctxAt(db), alice(), {
      name: 'Greeting',
      text: 'Hi {contact.firstName}, Alice here',
    });
    const conversationId = await conversationWith('Dana Smith');
    const sent = await sendSavedReply(ctxAt(db), alice(), { conversationId, name: 'GREETING' });
    const msg = await db.em().findOneOrFail(Message, { id: sent.messageId });
    expect([msg.kind, msg.text, msg.author?.id]).toEqual(['reply', 'Hi Dana, Alice here', ws.alice.id]);
    // Bob has no own one: he gets the team's.
    const bobSent = await sendSavedReply(ctxAt(db), userActor(ws.bob.id), {
      conversationId,
      name: 'greeting',
    });
    expect((await db.em().findOneOrFail(Message, { id: bobSent.messageId })).text).toBe(
      'Hello from the team',
    );
    const listed = (await savedRepliesFor(db.em(), ws.alice)).map((r) => [r.name, r.owner?.id ?? 'team']);
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(
      expect.arrayContaining([
        ['greeting', 'team'],
        ['Greeting', ws.alice.id],
      ]),
    );
    await removeSavedReply(ctxAt(db), alice(), { name: 'greeting' });
    expect((await savedRepliesFor(db.em(), ws.alice)).map((r) => [r.name, r.owner])).toEqual([
      ['greeting', null],
    ]);
  });

  it('R40, R7: on WhatsApp 24 hours after the customer wrote, a saved text is refused like any text; nothing is stored', async () => {
    await saveSavedReply(ctxAt(db), alice(), {
      name: 'late',
      text: 'Sorry for the wait, {contact.firstName}',
    });
    const t0 = new Date('2026-01-10T09:00:00Z');
    const conversationId = await conversationWith('Dana', t0);
    const attempt = sendSavedReply(ctxAt(db, hoursAfter(t0, 25)), alice(), { conversationId, name: 'late' });
    await expect(attempt).rejects.toMatchObject({ code: 'channel_refused', details: { rule: 'R7' } });
    expect((await messagesOf(db.em(), conversationId)).map((m) => m.kind)).toEqual(['inbound']);
  });

  it('R17: a saved reply cannot reach a conversation the user may not see; a missing name lists the ones there are', async () => {
    await saveSavedReply(ctxAt(db), alice(), { name: 'thanks', text: 'Thanks!' });
    const conversationId = await conversationWith('Dana');
    await expect(
      sendSavedReply(ctxAt(db), userActor(ws.carol.id), { conversationId, name: 'thanks' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(sendSavedReply(ctxAt(db), alice(), { conversationId, name: 'nope' })).rejects.toThrow(
      /no saved reply "nope".*thanks/,
    );
    expect((await messagesOf(db.em(), conversationId)).map((m) => m.kind)).toEqual(['inbound']);
  });
});
