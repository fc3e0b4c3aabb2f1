import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent, Contact, Conversation, User } from '../../src/db/entities/index.ts';
import { inbound } from '../adapters/whatsapp/payloads.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * Issue 9's review, replayed the way it was done: signed Slack requests, the admin API, Meta's
 * webhooks, and a fake Slack that records everything anybody could read (R17, R31, R34, R35).
 */
const ADMIN_API_TOKEN = 'admin-token-for-the-privacy-tests-0123';
const db = await createTestDb();
const h = slackHarness(db, {
  env: { ADMIN_API_TOKEN },
  // A Slack Connect guest from another organisation shows Gina's email on their profile.
  emails: { U_GUEST: 'gina@acme.test', U_GINA: 'gina@acme.test' },
  foreignTeams: { U_GUEST: 'T_OTHER_ORG' },
});
let ws: Workspace;
let cleo: User;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  const em = db.em();
  for (const [u, id] of [
    [ws.admin, 'U_ADA'],
    [ws.alice, 'U_ALICE'],
    [ws.bob, 'U_BOB'],
  ] as const)
    await em.nativeUpdate(User, { id: u.id }, { slackUserId: id });
  cleo = em.create(User, {
    account: ws.account.id,
    name: 'Cleo',
    email: 'cleo@acme.test',
    role: 'agent',
    groupIds: [ws.group.id],
    slackUserId: 'U_CLEO',
  });
  await em.flush();
});

const admin = (method: string, path: string, body: unknown) =>
  h.app.request(`/api/admin/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_API_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const say = async (user: string, text: string) => {
  const res = await h.command(user, text);
  expect(res.status).toBe(200);
  return res.text();
};
let phones = 0;
const customer = (phone: string, text: string) =>
  h.whatsappWebhook(
    inbound({ waId: phone.replace('+', ''), name: 'Dana Confidential' }, 'text', { body: text }),
  );
const latestConversation = () =>
  db.em().findOneOrFail(Conversation, { number: { $gt: 0 } }, { orderBy: { number: 'desc' } });
const newPhone = () => `+1555020${String(++phones).padStart(4, '0')}`;
/** What anybody in #support can read, and what a user reads in their DM with the app. */
const channelText = () =>
  h.slack.posts
    .filter((p) => p.channel === 'C_SUPPORT')
    .map(h.slack.visible)
    .join('\n');
/** A post to a user's id lands in their DM with the app, as Slack does. */
const dmText = (slackUserId: string) =>
  h.slack.posts
    .filter((p) => p.channel === `D_${slackUserId}` || p.channel === slackUserId)
    .map(h.slack.visible)
    .join('\n');

// Each test waits for the queues to settle, and a header's unreplied count is redrawn at most every 5 s.
describe('restricted conversations stay restricted (issue 9)', { timeout: 45_000 }, () => {
  it('R34: a reply after closing a restricted conversation opens one restricted to the same list; nothing reaches the channel or another user', async () => {
    const phone = newPhone();
    await customer(phone, 'first message');
    const first = await latestConversation();
    await say('U_BOB', `assign #${first.number} <@U_BOB>`);
    await say('U_BOB', `visibility #${first.number} <@U_BOB>`);
    await say('U_BOB', `close #${first.number}`);
    const answer = await say('U_BOB', `reply #${first.number} SECRET-REPLY-1 your refund is approved`);
    const second = await latestConversation();
    expect(answer).toContain(`#${second.number}`);
    expect(second.visibleToIds).toEqual([ws.bob.id]);
    await eventually(() => dmText('U_BOB').includes('SECRET-REPLY-1'));
    await customer(phone, 'SECRET-CUSTOMER-1 thanks');
    await eventually(() => dmText('U_BOB').includes('SECRET-CUSTOMER-1'));
    await settled(h.services);
    expect(channelText()).not.toMatch(/SECRET-(REPLY|CUSTOMER)-1/);
    expect(await say('U_ALICE', 'inbox team')).not.toContain(`#${second.number}`);
    expect(dmText('U_ALICE')).not.toContain('SECRET');
  });

  it("R34: an outbound conversation takes the contact's default visibility, and the customer's next message joins it", async () => {
    const phone = newPhone();
    await customer(phone, 'hello before the defaults');
    const before = await latestConversation();
    await say('U_ADA', `close #${before.number}`);
    const { contact } = await db.em().findOneOrFail(Conversation, before.id, { populate: ['contact'] });
    expect(
      (await admin('PATCH', `/contacts/${contact.id}`, { defaultVisibleToIds: [ws.bob.id] })).status,
    ).toBe(200);
    await say('U_BOB', `new ${phone} whatsapp SECRET-NEW-2 we found your parcel`);
    const started = await latestConversation();
    expect(started.visibleToIds).toEqual([ws.bob.id]);
    await customer(phone, 'SECRET-CUSTOMER-2 great');
    expect((await latestConversation()).id).toBe(started.id);
    await eventually(() => dmText('U_BOB').includes('SECRET-CUSTOMER-2'));
    await settled(h.services);
    expect(channelText()).not.toMatch(/SECRET-(NEW|CUSTOMER)-2/);
    expect(await say('U_ALICE', 'search SECRET')).not.toContain(`#${started.number}`);
  });

  it('R34: a user removed from the group loses the restricted conversation everywhere: lists, DM thread, App Home; later messages never reach them', async () => {
    const phone = newPhone();
    await customer(phone, 'SECRET-OLD-3 my account number');
    const conv = await latestConversation();
    await say('U_BOB', `visibility #${conv.number} <@U_BOB> <@U_CLEO>`);
    await say('U_BOB', `assign #${conv.number} <@U_CLEO>`);
    await eventually(() => dmText('U_CLEO').includes('SECRET-OLD-3'));
    await h.event({ type: 'app_home_opened', user: 'U_CLEO', tab: 'home', channel: 'D_U_CLEO' });
    await eventually(() => JSON.stringify(h.slack.homes.get('U_CLEO') ?? '').includes(`#${conv.number}`));

    expect((await admin('PATCH', `/users/${cleo.id}`, { groupIds: [] })).status).toBe(200);
    await customer(phone, 'SECRET-NEW-3 and my password');
    await eventually(() => dmText('U_BOB').includes('SECRET-NEW-3'));
    await settled(h.services);
    expect(dmText('U_CLEO')).not.toMatch(/SECRET-(OLD|NEW)-3/);
    expect(JSON.stringify(h.slack.homes.get('U_CLEO'))).not.toContain(`#${conv.number}`);
    const after = await db.em().findOneOrFail(Conversation, conv.id);
    expect([after.visibleToIds, after.assigneeIds]).toEqual([[ws.bob.id], []]);
    expect(dmText('U_BOB')).toContain('Cleo left Support');
  });

  it("R34: when the last listed user leaves, the conversation stays restricted, to the group's admins, and says so", async () => {
    const phone = newPhone();
    await customer(phone, 'SECRET-4 confidential');
    const conv = await latestConversation();
    const dave = await db.em().upsert(User, {
      account: ws.account.id,
      name: 'Dave',
      email: 'dave@acme.test',
      role: 'agent',
      groupIds: [ws.group.id],
      slackUserId: 'U_DAVE',
    });
    await say('U_DAVE', `visibility #${conv.number} <@U_DAVE>`);
    await eventually(() => dmText('U_DAVE').includes('SECRET-4'));
    expect((await admin('PATCH', `/users/${dave.id}`, { active: false })).status).toBe(200);
    await eventually(() => dmText('U_ADA').includes('SECRET-4'));
    await settled(h.services);
    expect((await db.em().findOneOrFail(Conversation, conv.id)).visibleToIds).toEqual([]);
    expect(dmText('U_DAVE')).not.toContain('SECRET-4');
    expect(channelText()).not.toContain('SECRET-4');
    expect(dmText('U_ADA')).toContain("only the group's admins see this conversation");
    expect(await say('U_ALICE', 'search SECRET-4')).not.toContain(`#${conv.number}`);
  });

  it('R35: /parley link cannot take over a linked user; an admin relink through the API moves their DM threads and tells the previous Slack user', async () => {
    // Rita's own user: a relink redraws every DM thread of the user, one post per second per DM.
    const rita = await db.em().upsert(User, {
      account: ws.account.id,
      name: 'Rita',
      email: 'rita@acme.test',
      role: 'agent',
      groupIds: [ws.group.id],
      slackUserId: 'U_RITA',
    });
    const taken = await say('U_ADA', 'link <@U0ALT> rita@acme.test');
    expect(taken).toContain('admin API');
    expect((await db.em().findOneOrFail(User, rita.id)).slackUserId).toBe('U_RITA');

    const phone = newPhone();
    await customer(phone, 'SECRET-5 between Rita and me');
    const conv = await latestConversation();
    await say('U_RITA', `visibility #${conv.number} <@U_RITA>`);
    await eventually(() => dmText('U_RITA').includes('SECRET-5'));

    expect((await admin('PATCH', `/users/${rita.id}`, { slackUserId: 'U_RITA_NEW' })).status).toBe(200);
    await eventually(() => dmText('U_RITA_NEW').includes('SECRET-5'));
    await settled(h.services);
    expect(dmText('U_RITA')).not.toContain('SECRET-5');
    expect(dmText('U_RITA')).toContain('no longer linked to the Parley user Rita');
    expect(JSON.stringify(h.slack.homes.get('U_RITA'))).toContain('no longer linked');
    const audit = await db.em().find(AuditEvent, { action: 'user.chat_identity_changed' });
    expect(audit.map((a) => [a.data.from, a.data.to])).toContainEqual(['U_RITA', 'U_RITA_NEW']);
  });

  it('R34: /parley new for a number whose conversation the caller may not see refuses without naming or numbering it', async () => {
    const phone = newPhone();
    await customer(phone, 'private matter');
    const conv = await latestConversation();
    await say('U_BOB', `visibility #${conv.number} <@U_BOB>`);
    const contact = await db.em().findOneOrFail(Contact, conv.contact.id);
    await db.em().nativeUpdate(Contact, { id: contact.id }, { optedOutChannels: ['sms'] });
    for (const channel of ['whatsapp', 'sms']) {
      const answer = await say('U_ALICE', `new ${phone} ${channel} hello`);
      expect(answer).toContain('restricted to a list of users you are not on');
      expect(answer).not.toContain('Dana');
      expect(answer).not.toContain(`#${conv.number}`);
    }
    expect(await db.em().count(Conversation, { contact: contact.id })).toBe(1);
  });

  it('R35: linking by profile email accepts only members of the workspace, not a Slack Connect guest with the same email', async () => {
    const gina = db.em().create(User, {
      account: ws.account.id,
      name: 'Gina',
      email: 'gina@acme.test',
      role: 'agent',
      groupIds: [ws.group.id],
    });
    await db.em().persist(gina).flush();
    expect(await say('U_GUEST', 'inbox team')).toContain('not linked');
    expect((await db.em().findOneOrFail(User, gina.id)).slackUserId).toBeNull();
    expect(await say('U_GINA', 'inbox team')).not.toContain('not linked');
    expect((await db.em().findOneOrFail(User, gina.id)).slackUserId).toBe('U_GINA');
  });
});
