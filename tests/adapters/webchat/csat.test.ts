import { describe, expect, it } from 'vitest';
import { Conversation, CsatSurvey, Group, Message } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { assignConversation } from '../../../src/use-cases/assign-conversation.ts';
import { closeConversation } from '../../../src/use-cases/close-conversation.ts';
import { askForRating } from '../../../src/use-cases/csat-ask.ts';
import { createTestDb } from '../../support/test-db.ts';
import { webchatHarness } from './harness.ts';

const db = await createTestDb();
const h = await webchatHarness(db);
await db.em().nativeUpdate(Group, { id: h.ws.group.id }, { csat: 'on' });

/** A signed-in customer writes, Alice takes the conversation and closes it; the csat job asks. */
async function closedAndAsked(sub: string) {
  const s = await h.session({ sub, name: `Customer ${sub}` });
  const sent = await h.write(s.token, 'Thanks for the help so far');
  const conversationId = sent.body.conversationId;
  const alice = userActor(h.ws.alice.id);
  await assignConversation(h.context(), alice, { conversationId, assigneeIds: [h.ws.alice.id] });
  await closeConversation(h.context(), alice, { conversationId });
  const survey = await db.em().fork().findOneOrFail(CsatSurvey, { conversation: conversationId });
  expect((await askForRating({ em: db.em() }, survey.id)).outcome).toBe('asked');
  return { s, conversationId, surveyId: survey.id };
}

const rate = (token: string, body: unknown) => h.call('POST', '/webchat/api/csat', token, body);

describe('R42: the webchat rating card', () => {
  it('R42: the request comes in the history as a survey; the card’s answer (rating and comment) is recorded once and the conversation stays closed', async () => {
    const { s, conversationId, surveyId } = await closedAndAsked('csat-1');
    const survey = (await h.history(s.token)).messages.find((m) => m.survey);
    expect(survey).toMatchObject({ from: 'agent', kind: 'csat', survey: { id: surveyId } });
    expect(survey?.text).toMatch(/rate the help/);

    const res = await rate(s.token, { surveyId, rating: 5, comment: '  Quick and kind  ' });
    expect(res.status).toBe(201);
    const stored = await db.em().fork().findOneOrFail(CsatSurvey, surveyId);
    expect([stored.state, stored.rating, stored.comment]).toEqual(['answered', 5, 'Quick and kind']);
    // The answer is a Parley line in the thread, not a customer message; nothing reopens.
    const line = await db
      .em()
      .fork()
      .findOneOrFail(Message, {
        conversation: conversationId,
        kind: 'system',
        meta: { action: 'csat.answered' },
      });
    expect(line.text).toBe('The customer rated this conversation 5/5 ★★★★★ (Excellent): “Quick and kind”');
    expect((await db.em().fork().findOneOrFail(Conversation, conversationId)).status).toBe('closed');

    // Sent again (a second click, a retry): the first answer stands.
    const again = await rate(s.token, { surveyId, rating: 1 });
    expect(again.status).toBe(200);
    expect((await db.em().fork().findOneOrFail(CsatSurvey, surveyId)).rating).toBe(5);
  });

  it('R42: another visitor cannot answer someone’s survey; a rating outside 1–5 is refused naming the field', async () => {
    const { surveyId } = await closedAndAsked('csat-2');
    const other = await h.session({ sub: 'csat-intruder' });
    const res = await rate(other.token, { surveyId, rating: 1 });
    expect(res.status).toBe(404);
    const own = await h.session({ sub: 'csat-2' });
    const bad = await rate(own.token, { surveyId, rating: 6 });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('rating must be 1 to 5');
    expect((await db.em().fork().findOneOrFail(CsatSurvey, surveyId)).state).toBe('asked');
  });
});
