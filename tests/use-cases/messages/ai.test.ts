import { beforeAll, describe, expect, it } from 'vitest';
import { Group, Message } from '../../../src/db/entities/index.ts';
import { aiActor, userActor } from '../../../src/domain/actor.ts';
import { inTransaction } from '../../../src/use-cases/context.ts';
import { loadConversationLocked } from '../../../src/use-cases/load.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { setAiMode } from '../../../src/use-cases/set-ai-mode.ts';
import { appendMessage } from '../../../src/use-cases/timeline.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import {
  closeDirectly,
  ctxAt,
  customerWrites,
  loadConversation,
  messagesOf,
  recordAiReply,
} from './support.ts';

const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  // Support has an AI agent; Sales (otherGroup) has none.
  await db.em().nativeUpdate(Group, { id: ws.group.id }, { aiAgent: { enabled: true, name: 'Parley AI' } });
});

async function supportConversation() {
  const { phone } = await seedContact(db.em(), ws.account);
  const res = await customerWrites(db, { from: phone, text: 'Can I change my delivery address?' });
  return { phone, conversationId: res.conversationId, inbound: res };
}

const unreplied = async (id: string) => (await loadConversation(db.em(), id)).unrepliedCount;

describe('AI agent', () => {
  it('R14: where the group has an AI agent, a new inbound message is for the AI to answer', async () => {
    const { conversationId, inbound } = await supportConversation();
    expect(inbound.aiAnswers).toBe(true);
    expect((await loadConversation(db.em(), conversationId)).aiState).toBe('active');
    const sales = await customerWrites(db, {
      from: (await seedContact(db.em(), ws.account)).phone,
      endpointAddress: 'PNID_SALES',
    });
    expect(sales.aiAnswers).toBe(false);
  });

  it("R14: the AI's message is marked as AI and queued for delivery on the conversation's channel", async () => {
    const { conversationId } = await supportConversation();
    const res = await recordAiReply(ctxAt(db), aiActor, {
      conversationId,
      text: 'Yes, send me the new address.',
    });
    const msg = await db.em().findOneOrFail(Message, { id: res.messageId! });
    expect([msg.kind, msg.meta.ai, msg.author, msg.deliveryState, msg.channel]).toEqual([
      'ai',
      true,
      null,
      'queued',
      'whatsapp',
    ]);
  });

  it('R11: an AI reply counts as a reply and clears unreplied', async () => {
    const { conversationId } = await supportConversation();
    await recordAiReply(ctxAt(db), aiActor, { conversationId, text: 'Sure.' });
    expect(await unreplied(conversationId)).toBe(0);
  });

  it('R11: an auto-responder message does not count as a reply', async () => {
    const { conversationId } = await supportConversation();
    await inTransaction(ctxAt(db), async (tx, _r, now) => {
      const conv = await loadConversationLocked(tx, conversationId);
      await appendMessage(tx, conv, {
        kind: 'auto_response',
        text: 'We are closed until 9am.',
        deliver: true,
        now,
      });
      return {};
    });
    expect(await unreplied(conversationId)).toBe(1);
  });

  it('R11, R14: after the AI hands off, its handoff message does not clear unreplied, it stays silent, and waiting messages stay unreplied until a human replies', async () => {
    const { phone, conversationId } = await supportConversation();
    const handoff = await recordAiReply(ctxAt(db), aiActor, {
      conversationId,
      text: 'Let me get a colleague for you.',
      handoff: true,
      handoffReason: 'address change needs a human',
    });
    expect(handoff.handedOff).toBe(true);
    let conv = await loadConversation(db.em(), conversationId);
    expect([conv.aiState, conv.unrepliedCount]).toEqual(['handed_off', 1]);
    expect(conv.aiHandoffAt).toBeInstanceOf(Date);
    const kinds = (await messagesOf(db.em(), conversationId)).map((m) => m.kind);
    expect(kinds).toEqual(['inbound', 'ai', 'system']);

    const more = await customerWrites(db, { from: phone, text: 'Hello? Anyone?' });
    expect(more.aiAnswers).toBe(false);
    await expect(
      recordAiReply(ctxAt(db), aiActor, { conversationId, text: 'I am still here' }),
    ).rejects.toMatchObject({
      code: 'conflict',
      details: { rule: 'R14' },
    });
    expect(await unreplied(conversationId)).toBe(2);

    await sendReply(ctxAt(db), userActor(ws.alice.id), { conversationId, text: 'Hi, Alice here.' });
    conv = await loadConversation(db.em(), conversationId);
    expect(conv.unrepliedCount).toBe(0);
  });

  it('R14: the AI is silent only until the conversation is closed: the next conversation has it answering again', async () => {
    const { phone, conversationId } = await supportConversation();
    await recordAiReply(ctxAt(db), aiActor, { conversationId, handoff: true });
    await closeDirectly(db, conversationId);
    const next = await customerWrites(db, { from: phone, text: 'New question' });
    expect(next.conversationId).not.toBe(conversationId);
    expect(next.aiAnswers).toBe(true);
  });

  it('R30: a user takes the conversation over from the AI; the AI then stays silent', async () => {
    const { conversationId } = await supportConversation();
    const res = await setAiMode(ctxAt(db), userActor(ws.bob.id), { conversationId, mode: 'human' });
    expect([res.aiState, res.changed]).toEqual(['handed_off', true]);
    const lines = (await messagesOf(db.em(), conversationId)).filter((m) => m.kind === 'system');
    expect(lines.map((l) => l.text)).toEqual(['Bob took the conversation over from the AI agent.']);
    await expect(recordAiReply(ctxAt(db), aiActor, { conversationId, text: 'hi' })).rejects.toMatchObject({
      code: 'conflict',
    });
  });

  it('R30: a user hands the conversation back to the AI, which may answer again', async () => {
    const { conversationId } = await supportConversation();
    await setAiMode(ctxAt(db), userActor(ws.bob.id), { conversationId, mode: 'human' });
    const back = await setAiMode(ctxAt(db), userActor(ws.bob.id), { conversationId, mode: 'ai' });
    expect(back.aiState).toBe('active');
    const res = await recordAiReply(ctxAt(db), aiActor, { conversationId, text: 'Back with you.' });
    expect(res.messageId).toBeTruthy();
    expect(await unreplied(conversationId)).toBe(0);
  });

  it('R14: handing a conversation to the AI where the group has no AI agent is refused with a reason', async () => {
    const { phone } = await seedContact(db.em(), ws.account);
    const sales = await customerWrites(db, { from: phone, endpointAddress: 'PNID_SALES' });
    const attempt = setAiMode(ctxAt(db), userActor(ws.carol.id), {
      conversationId: sales.conversationId,
      mode: 'ai',
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'rule_violation',
      message: expect.stringContaining('no AI agent'),
      details: { rule: 'R14' },
    });
  });

  it('R33: a user of another group cannot change the AI mode; only the AI agent can post AI replies', async () => {
    const { conversationId } = await supportConversation();
    await expect(
      setAiMode(ctxAt(db), userActor(ws.carol.id), { conversationId, mode: 'human' }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      recordAiReply(ctxAt(db), userActor(ws.alice.id), { conversationId, text: 'pretending' }),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });
});
