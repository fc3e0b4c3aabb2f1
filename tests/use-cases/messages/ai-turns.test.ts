import { beforeAll, describe, expect, it } from 'vitest';
import { AiTurn, Group, Message, User } from '../../../src/db/entities/index.ts';
import { aiActor, userActor } from '../../../src/domain/actor.ts';
import { discardAiDraft, sendAiDraft } from '../../../src/use-cases/ai-drafts.ts';
import { claimAiTurn } from '../../../src/use-cases/claim-ai-turn.ts';
import { closeConversation } from '../../../src/use-cases/close-conversation.ts';
import { notifyAiHandoff } from '../../../src/use-cases/notify-ai-handoff.ts';
import { restrictVisibility } from '../../../src/use-cases/restrict-visibility.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { setAiMode } from '../../../src/use-cases/set-ai-mode.ts';
import { recordingSurface } from '../../support/fake-surface.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { ctxAt, customerWrites, recordAiReply } from './support.ts';

/** R36 at the use-case level: the claim's refusals, draft decisions, and who hears of a handoff. */
const db = await createTestDb();
let ws: Workspace;
beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db
    .em()
    .nativeUpdate(Group, { id: ws.group.id }, { aiAgent: { enabled: true, name: 'Ava', mode: 'draft' } });
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
  await db.em().nativeUpdate(User, { id: ws.admin.id }, { slackUserId: 'U_ADA' });
});

const claimOpts = { burstWindowMs: 0, claimMs: 30_000, modelConfigured: true, defaultModel: 'gpt-test' };

async function conversationWithDraft(text = 'Draft answer') {
  const { phone } = await seedContact(db.em(), ws.account);
  const { conversationId } = await customerWrites(db, { from: phone, text: 'Question' });
  const res = await recordAiReply(ctxAt(db), aiActor, { conversationId, text, draft: true });
  return { conversationId, draftId: res.messageId! };
}
const draftState = async (id: string) => (await db.em().findOneOrFail(Message, { id })).draftState;

describe('the claim (R36)', () => {
  it('without a model configured, an enabled AI agent hands the conversation to a person and says why', async () => {
    const { phone } = await seedContact(db.em(), ws.account);
    const { conversationId } = await customerWrites(db, { from: phone, text: 'Hi' });
    const claim = await claimAiTurn(ctxAt(db), conversationId, { ...claimOpts, modelConfigured: false });
    expect(claim).toMatchObject({
      step: 'handed_off',
      reason: 'AI agent unavailable: no model is configured (OPENAI_API_KEY is not set)',
    });
    const again = await claimAiTurn(ctxAt(db), conversationId, claimOpts);
    expect(again.step).toBe('skip');
    expect(await db.em().count(AiTurn, { conversation: conversationId })).toBe(1);
  });

  it('never claims the same customer message twice, and not a reaction', async () => {
    const { phone } = await seedContact(db.em(), ws.account);
    const { conversationId } = await customerWrites(db, { from: phone, text: 'Hi' });
    const first = await claimAiTurn(ctxAt(db), conversationId, claimOpts);
    expect(first.step).toBe('think');
    expect((await claimAiTurn(ctxAt(db), conversationId, claimOpts)).step).toBe('skip');
    const reaction = await customerWrites(db, {
      from: phone,
      text: '👍',
      extra: { meta: { reaction: '👍' } },
    });
    expect(reaction.aiAnswers).toBe(false);
  });
});

describe('drafts go out of date (R36)', () => {
  it('when a person replies, takes over, or closes: "out of date", and it can no longer be sent', async () => {
    const replied = await conversationWithDraft();
    await sendReply(ctxAt(db), userActor(ws.alice.id), {
      conversationId: replied.conversationId,
      text: 'Mine',
    });
    expect(await draftState(replied.draftId)).toBe('dropped');
    await expect(
      sendAiDraft(ctxAt(db), userActor(ws.alice.id), { draftId: replied.draftId }),
    ).rejects.toThrow(/is out of date .*; nothing was sent/);

    const takenOver = await conversationWithDraft();
    await setAiMode(ctxAt(db), userActor(ws.alice.id), {
      conversationId: takenOver.conversationId,
      mode: 'human',
    });
    expect(await draftState(takenOver.draftId)).toBe('dropped');

    const closed = await conversationWithDraft();
    await closeConversation(ctxAt(db), userActor(ws.admin.id), { conversationId: closed.conversationId });
    expect(await draftState(closed.draftId)).toBe('dropped');
  });

  it('a newer draft replaces the pending one; a discarded one stays discarded', async () => {
    const { conversationId, draftId } = await conversationWithDraft('First');
    const second = await recordAiReply(ctxAt(db), aiActor, { conversationId, text: 'Second', draft: true });
    expect(await draftState(draftId)).toBe('dropped');
    await discardAiDraft(ctxAt(db), userActor(ws.alice.id), { draftId: second.messageId! });
    expect(await draftState(second.messageId!)).toBe('discarded');
  });
});

describe('who hears of a handoff (R36, R17)', () => {
  it('unassigned and shared: the group channel; restricted: privately to those on its list, never the channel', async () => {
    const fake = recordingSurface();
    const surfaces = new Map([['slack', fake.surface]]);
    const { phone } = await seedContact(db.em(), ws.account);
    const shared = await customerWrites(db, { from: phone, text: 'Hi' });
    await db.em().nativeUpdate(Group, { id: ws.group.id }, { aiAgent: { enabled: true, name: 'Ava' } });
    const handOff = async (conversationId: string) => {
      const claim = await claimAiTurn(ctxAt(db), conversationId, { ...claimOpts, modelConfigured: false });
      if (claim.step !== 'handed_off') throw new Error(`expected a handoff, got ${claim.step}`);
      return claim.turnId;
    };
    expect(await notifyAiHandoff({ em: db.em(), surfaces }, await handOff(shared.conversationId))).toEqual({
      outcome: 'told',
    });
    expect(fake.channelNotices.map((n) => n.channelId)).toEqual(['C_SUPPORT']);
    expect(fake.userNotices).toEqual([]);

    const other = await seedContact(db.em(), ws.account);
    const secret = await customerWrites(db, { from: other.phone, text: 'Private matter' });
    await restrictVisibility(ctxAt(db), userActor(ws.alice.id), {
      conversationId: secret.conversationId,
      visibleToIds: [ws.alice.id],
    });
    const turnId = await handOff(secret.conversationId);
    await notifyAiHandoff({ em: db.em(), surfaces }, turnId);
    expect(fake.channelNotices).toHaveLength(1);
    expect(fake.userNotices.map((n) => n.userId)).toEqual([ws.alice.id]);
    // Told once: a second wake-up (the reconciler's) tells nobody again.
    expect(await notifyAiHandoff({ em: db.em(), surfaces }, turnId)).toEqual({ outcome: 'nothing to tell' });
    expect(fake.userNotices).toHaveLength(1);
  });
});
