import { beforeAll, describe, expect, it } from 'vitest';
import { ContactIdentity, Conversation, CsatSurvey, User } from '../../src/db/entities/index.ts';
import { loadDigestData } from '../../src/queries/digest-data.ts';
import { defaultHomeFilters, loadHomeData } from '../../src/queries/home-data.ts';
import { incomingSms } from '../adapters/sms/harness.ts';
import { inbound } from '../adapters/whatsapp/payloads.ts';
import { ADMIN_TOKEN, adminCall } from '../http/helpers.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * R42 through the doors people use: customers write on WhatsApp and SMS (signed webhooks), agents
 * assign, restrict, close and reopen with /parley in Slack, the real workers ask for the rating
 * (the Graph and Twilio fakes receive it), and the customers' answers come back on the webhooks.
 */
const db = await createTestDb();
const h = slackHarness(db, { sms: true, env: { ADMIN_API_TOKEN: ADMIN_TOKEN } });
let ws: Workspace;
const RATED = 'rated this conversation';

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
  await db.em().nativeUpdate(User, { id: ws.bob.id }, { slackUserId: 'U_BOB' });
});

async function say(user: string, text: string): Promise<string> {
  const res = await h.command(user, text);
  expect(res.status).toBe(200);
  return ((await res.json()) as { text: string }).text;
}

/** The latest conversation of the contact writing from `address`. */
const conversationOf = async (address: string) => {
  const em = db.em().fork();
  const identity = await em.findOneOrFail(ContactIdentity, { address: { $in: [address, `+${address}`] } });
  const all = await em.find(Conversation, { contact: identity.contact }, { orderBy: { number: 'desc' } });
  return all[0]!;
};

const whatsapp = (waId: string, type: string, content: unknown) =>
  h.whatsappWebhook(inbound({ waId, name: `Customer ${waId}` }, type, content));

/** The customer writes on WhatsApp; Bob (or `who`) takes the conversation. */
async function waConversation(waId: string, text: string, who = 'U_BOB') {
  const header = await h.customerThread(waId, text);
  const conv = await conversationOf(waId);
  await say(who, `assign #${conv.number} <@${who}|x>`);
  return { header, conv };
}

async function sms(from: string, text: string) {
  expect((await h.smsWebhook(incomingSms(from, text))).status).toBe(200);
  await settled(h.services);
}

const surveyOf = (conversationId: string) =>
  db.em().fork().findOne(CsatSurvey, { conversation: conversationId });
const threadText = (headerTs: string) =>
  h.slack
    .threadOf('C_SUPPORT', headerTs)
    .map((p) => h.slack.visible(p))
    .join('\n');

describe('R42: CSAT after close', { timeout: 60_000 }, () => {
  it('R42: off by default (closing asks nothing); an admin turns it on for the group from the admin API, a wrong word refused', async () => {
    const { conv } = await waConversation('15550400000', 'Hello before CSAT');
    await say('U_BOB', `close #${conv.number}`);
    await settled(h.services);
    expect(await surveyOf(conv.id)).toBeNull();
    expect(h.graph.sent).toEqual([]);

    const wrong = await adminCall(h.app, 'PATCH', `/groups/${ws.group.id}`, { csat: 'yes' });
    expect(wrong.status).toBe(422);
    const { error } = (await wrong.json()) as { error: { message: string } };
    expect(error.message).toMatch(/csat.*"on".*"off"/s);
    const res = await adminCall(h.app, 'PATCH', `/groups/${ws.group.id}`, { csat: 'on' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ csat: 'on' });
  });

  it('R42, R11: WhatsApp inside the window: the list of five ratings goes once; the chosen rating shows in the thread, nothing opens; a reopen and a second close ask nothing', async () => {
    const { header, conv } = await waConversation('15550400001', 'My parcel is late');
    expect(await say('U_BOB', `close #${conv.number}`)).toContain(`#${conv.number}`);
    await eventually(() => h.graph.sent.length > 0);
    await settled(h.services);
    expect(h.graph.sent).toHaveLength(1);
    const sent = h.graph.sent[0]!.body;
    expect(sent).toMatchObject({ to: '15550400001', type: 'interactive', interactive: { type: 'list' } });
    const rows = sent.interactive.action.sections[0].rows as { id: string; title: string }[];
    expect(rows.map((r) => r.title)).toEqual([
      '5 – Excellent',
      '4 – Good',
      '3 – OK',
      '2 – Poor',
      '1 – Very poor',
    ]);
    // The request is an automatic reply: the customer's message nobody answered is still
    // unreplied (R11), and the conversation stays closed.
    const asked = await db.em().fork().findOneOrFail(Conversation, conv.id);
    expect([asked.status, asked.unrepliedCount]).toEqual(['closed', 1]);
    expect(threadText(header.ts)).toContain('How would you rate the help you got?');

    // The customer picks "4 – Good".
    const four = rows.find((r) => r.title.startsWith('4'))!;
    await whatsapp('15550400001', 'interactive', {
      type: 'list_reply',
      list_reply: { id: four.id, title: four.title },
    });
    await eventually(() => threadText(header.ts).includes(RATED));
    await settled(h.services);
    expect(threadText(header.ts)).toContain('rated this conversation 4/5');
    expect(await surveyOf(conv.id)).toMatchObject({ state: 'answered', rating: 4, agentIds: [ws.bob.id] });
    const after = await db.em().fork().find(Conversation, { contact: asked.contact.id });
    expect(after.map((c) => c.status)).toEqual(['closed']);

    // Reopened and closed again: asked once per conversation, so nothing more goes.
    await say('U_BOB', `reopen #${conv.number}`);
    await say('U_BOB', `close #${conv.number}`);
    await settled(h.services);
    expect(h.graph.sent).toHaveLength(1);
  });

  it('R42, R7: WhatsApp outside the 24-hour window: nothing is sent and the thread says why', async () => {
    const { header, conv } = await waConversation('15550400002', 'Old question');
    const dayAgo = new Date(Date.now() - 25 * 3_600_000);
    await db.em().nativeUpdate(Conversation, { id: conv.id }, { lastInboundAt: dayAgo });
    const before = h.graph.sent.length;
    await say('U_BOB', `close #${conv.number}`);
    await eventually(() => threadText(header.ts).includes('No rating was asked'));
    await settled(h.services);
    expect(h.graph.sent).toHaveLength(before);
    expect(threadText(header.ts)).toMatch(/No rating was asked: .*24 hours/);
    expect(await surveyOf(conv.id)).toMatchObject({
      state: 'skipped',
      reason: expect.stringMatching(/24 hours/),
    });
  });

  it('R42: SMS: "Reply 1–5" goes out; "5 great help" is recorded with its comment and opens nothing; a later digit is an ordinary message', async () => {
    const phone = '+15550400003';
    await sms(phone, 'Can I change my address?');
    const conv = await conversationOf(phone);
    await say('U_ALICE', `assign #${conv.number} <@U_ALICE|alice>`);
    await say('U_ALICE', `close #${conv.number}`);
    await eventually(() => h.twilio.messages.some((m) => m.to === phone));
    await settled(h.services);
    expect(h.twilio.messages.filter((m) => m.to === phone).map((m) => m.body)).toEqual([
      expect.stringMatching(/Reply with a number from 1 .* to 5/),
    ]);

    await sms(phone, '5 great help');
    expect(await surveyOf(conv.id)).toMatchObject({ state: 'answered', rating: 5, comment: 'great help' });
    expect(
      (await db.em().fork().find(Conversation, { contact: conv.contact.id })).map((c) => c.status),
    ).toEqual(['closed']);

    // Answered already: "3" is the customer writing again (R22: a new conversation).
    await sms(phone, '3');
    const next = await conversationOf(phone);
    expect(next.id).not.toBe(conv.id);
    expect(next.status).toBe('open');
    expect((await surveyOf(conv.id))?.rating).toBe(5);
  });

  it('R42, R7: never asked of a contact who opted out (STOP): the thread says why', async () => {
    const phone = '+15550400004';
    await sms(phone, 'Cancel my plan');
    await sms(phone, 'STOP');
    const conv = await conversationOf(phone);
    await say('U_ALICE', `assign #${conv.number} <@U_ALICE|alice>`);
    const sentBefore = h.twilio.messages.filter((m) => m.to === phone).length;
    await say('U_ALICE', `close #${conv.number}`);
    await settled(h.services);
    expect(h.twilio.messages.filter((m) => m.to === phone)).toHaveLength(sentBefore);
    expect(await surveyOf(conv.id)).toMatchObject({
      state: 'skipped',
      reason: expect.stringContaining('opted out'),
    });
  });

  it('R42, R17, R31: a restricted conversation’s rating shows in its restricted thread only, never in the shared channel', async () => {
    const { conv } = await waConversation('15550400005', 'Private matter', 'U_ALICE');
    await say('U_ALICE', `visibility #${conv.number} <@U_ALICE>`);
    await say('U_ALICE', `close #${conv.number}`);
    await eventually(() => h.graph.sent.some((s) => s.body.to === '15550400005'));
    await settled(h.services);
    await whatsapp('15550400005', 'text', { body: '2 CANARY-csat-q9x' });
    const inAliceDm = (text: string) =>
      h.slack.posts.filter((p) => p.channel === 'D_U_ALICE' && h.slack.visible(p).includes(text));
    await eventually(() => inAliceDm('CANARY-csat-q9x').length > 0);
    await settled(h.services);
    expect(inAliceDm(RATED).length).toBeGreaterThan(0);
    expect(h.slack.readableBy('U_BOB', ['C_SUPPORT'])).not.toContain('q9x');
    expect(await surveyOf(conv.id)).toMatchObject({ rating: 2, comment: 'CANARY-csat-q9x' });
  });

  it('R42, R26, R27, R17: the dashboard and the digest summarise per group and agent; Bob’s and the digest’s leave the restricted rating out', async () => {
    const em = db.em().fork();
    const alice = await loadHomeData(em, ws.alice.id, defaultHomeFilters);
    expect(alice?.csat).toEqual([
      {
        groupId: ws.group.id,
        groupName: 'Support',
        asked: 3,
        answered: 3,
        skipped: 2,
        average: 3.67,
        satisfiedPercent: 67,
        agents: [
          {
            userId: ws.alice.id,
            name: 'Alice',
            asked: 2,
            answered: 2,
            skipped: 1,
            average: 3.5,
            satisfiedPercent: 50,
          },
          {
            userId: ws.bob.id,
            name: 'Bob',
            asked: 1,
            answered: 1,
            skipped: 1,
            average: 4,
            satisfiedPercent: 100,
          },
        ],
      },
    ]);
    const shared = {
      asked: 2,
      answered: 2,
      skipped: 2,
      average: 4.5,
      satisfiedPercent: 100,
      agents: [
        {
          userId: ws.alice.id,
          name: 'Alice',
          asked: 1,
          answered: 1,
          skipped: 1,
          average: 5,
          satisfiedPercent: 100,
        },
        {
          userId: ws.bob.id,
          name: 'Bob',
          asked: 1,
          answered: 1,
          skipped: 1,
          average: 4,
          satisfiedPercent: 100,
        },
      ],
    };
    expect((await loadHomeData(em, ws.bob.id, defaultHomeFilters))?.csat).toEqual([
      { groupId: ws.group.id, groupName: 'Support', ...shared },
    ]);
    expect((await loadDigestData(em, ws.group.id))?.csat).toMatchObject(shared);

    // Bob's App Home shows it.
    await h.event({ type: 'app_home_opened', user: 'U_BOB', tab: 'home', channel: 'D_U_BOB' });
    await eventually(() => JSON.stringify(h.slack.homes.get('U_BOB') ?? '').includes('Customer ratings'));
    const home = JSON.stringify(h.slack.homes.get('U_BOB'));
    expect(home).toContain('Support: 100% satisfied · 4.50 average · 2 of 2 answered');
    expect(home).toContain('Bob: 100% satisfied · 4.00 average · 1 of 1 answered');

    // The admin API's summary counts every conversation.
    const api = await adminCall(h.app, 'GET', '/csat?since=2000-01-01');
    expect(api.status).toBe(200);
    expect(await api.json()).toMatchObject({ groups: [{ groupName: 'Support', asked: 3, average: 3.67 }] });
    const bad = await adminCall(h.app, 'GET', '/csat?since=yesterday');
    expect(bad.status).toBe(422);
  });
});
