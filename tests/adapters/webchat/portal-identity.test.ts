import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  Account,
  ChannelEndpoint,
  Contact,
  ContactIdentity,
  Conversation,
  Group,
  User,
  WebchatSession,
} from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { sendReply } from '../../../src/use-cases/send-reply.ts';
import { seedContact } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { sseReader, webchatHarness } from './harness.ts';

/**
 * Issue 9, item 4, for customers that existed before customer scopes: a portal profile an admin
 * declared (`portal:<id>`), sessions made before, and a widget that later joins a shared scope.
 * The harness's account keeps its one widget (one customer scope); a test that needs more widgets
 * gets an account of its own, so each test runs alone or in any order.
 */
const db = await createTestDb();
const h = await webchatHarness(db);
const OTHER_SECRET = 'other-site-secret-3c1d9e';

/** Another account with webchat widgets of these addresses (each its own customer scope). */
async function accountWithWidgets(name: string, addresses: string[]) {
  const em = db.em();
  const account = em.create(Account, { name });
  const group = em.create(Group, { account, name: 'Support' });
  const agent = em.create(User, {
    account,
    name: 'Ivy',
    email: `ivy@${name.toLowerCase().replaceAll(' ', '-')}.test`,
    role: 'agent',
    groupIds: [group.id],
  });
  await em.flush();
  for (const address of addresses) await addWidgetTo(account, group, address);
  return { account, group, agent };
}
async function addWidgetTo(account: Account, group: Group, address: string) {
  const em = db.em();
  em.create(ChannelEndpoint, {
    account: account.id,
    group: group.id,
    channel: 'webchat',
    address,
    name: address,
    settings: { secret: OTHER_SECRET },
  });
  await em.flush();
}
/** A customer the admin declared with a portal id, who has written once from a signed-in session. */
async function declaredCustomerWrote(name: string, portalId: string, text: string) {
  const { contact } = await seedContact(db.em(), h.ws.account, { name, portalId });
  const s = await h.session({ sub: portalId });
  const sent = await h.write(s.token, text);
  expect((await conversation(sent.body.conversationId)).contact.id).toBe(contact.id);
  return contact;
}

const webchatAddresses = async (contactId: string) =>
  (await db.em().find(ContactIdentity, { contact: contactId, channel: 'webchat' }))
    .map((i) => i.address)
    .sort();
const conversation = (id: string) => db.em().findOneOrFail(Conversation, id);

describe('declared portal customers and earlier sessions', () => {
  it('R16: with one customer scope in the account, a declared portal profile is the signed-in customer (default assignees apply)', async () => {
    const { contact } = await seedContact(db.em(), h.ws.account, { name: 'Dana', portalId: 'cust-77' });
    await db.em().nativeUpdate(Contact, { id: contact.id }, { defaultAssigneeIds: [h.ws.alice.id] });
    const s = await h.session({ sub: 'cust-77' });
    const sent = await h.write(s.token, 'It is Dana');
    const conv = await conversation(sent.body.conversationId);
    expect(conv.contact.id).toBe(contact.id);
    expect(conv.assigneeIds).toEqual([h.ws.alice.id]);
    // The link is kept as an identity of the scope, beside the declared one.
    expect(await webchatAddresses(contact.id)).toEqual(['portal:cust-77', 'portal@wid_support:cust-77']);
  });

  it('R7: a reply addressed to the declared identity reaches the customer’s open stream live, as connected', async () => {
    await declaredCustomerWrote('Gail', 'cust-82', 'It is Gail');
    const s = await h.session({ sub: 'cust-82' });
    const res = await h.call('GET', '/webchat/api/stream', s.token);
    const sse = sseReader(res);
    expect((await sse.next()).event).toBe('ready');
    const [seen] = await sse.messages(1);
    expect(seen?.text).toBe('It is Gail');
    const reply = await h.reply(seen!.conversationId, 'Hello Gail 👋');
    expect(reply.delivery.outcome).toBe('sent');
    // The contact's first webchat identity is the declared one: that is where the reply goes.
    expect((await h.message(reply.messageId)).meta).not.toHaveProperty('waitingForVisit');
    const [live] = await sse.messages(1);
    expect(live?.text).toBe('Hello Gail 👋');
    await sse.close();
  });

  it('R34: with several customer scopes, a declared portal id matches none of them (it could be either site’s customer)', async () => {
    const { account } = await accountWithWidgets('Two sites', ['wid_eve_a', 'wid_eve_b']);
    const { contact } = await seedContact(db.em(), account, { name: 'Eve', portalId: 'cust-78' });
    const s = await h.session({ sub: 'cust-78' }, { widget: 'wid_eve_a', secret: OTHER_SECRET });
    const sent = await h.write(s.token, 'Who am I?');
    expect((await conversation(sent.body.conversationId)).contact.id).not.toBe(contact.id);
    expect(await webchatAddresses(contact.id)).toEqual(['portal:cust-78']);
  });

  it('R16: an admin can declare the scoped identity itself, and a link made earlier stays', async () => {
    // Hana, declared, signed in while the account had one widget: her link to that scope is made.
    const { account, group, agent } = await accountWithWidgets('Grows a site', ['wid_finn_a']);
    const { contact: hana } = await seedContact(db.em(), account, { name: 'Hana', portalId: 'cust-83' });
    const first = await h.session({ sub: 'cust-83' }, { widget: 'wid_finn_a', secret: OTHER_SECRET });
    const wrote = await h.write(first.token, 'It is Hana');
    const hanas = await conversation(wrote.body.conversationId);
    expect(hanas.contact.id).toBe(hana.id);
    const reply = await sendReply(h.context(), userActor(agent.id), {
      conversationId: hanas.id,
      text: 'Hello Hana 👋',
    });
    expect((await h.deliver(reply.messageId)).outcome).toBe('sent');
    // Then a second site, with its own customer scope.
    await addWidgetTo(account, group, 'wid_finn_b');

    const { contact } = await seedContact(db.em(), account, { name: 'Finn' });
    const em = db.em();
    em.create(ContactIdentity, {
      account: account.id,
      contact: contact.id,
      channel: 'webchat',
      address: 'portal@wid_finn_b:cust-79',
    });
    await em.flush();
    const finn = await h.session({ sub: 'cust-79' }, { widget: 'wid_finn_b', secret: OTHER_SECRET });
    const sent = await h.write(finn.token, 'Finn here');
    expect((await conversation(sent.body.conversationId)).contact.id).toBe(contact.id);

    const again = await h.session({ sub: 'cust-83' }, { widget: 'wid_finn_a', secret: OTHER_SECRET });
    expect((await h.history(again.token)).messages.map((m) => m.text)).toEqual([
      'It is Hana',
      'Hello Hana 👋',
    ]);
  });

  it('R34: when a widget joins a shared scope, its sessions end, and its customers keep their history', async () => {
    await accountWithWidgets('Joins a scope', ['wid_share_a', 'wid_share_b']);
    const before = await h.session({ sub: 'cust-80' }, { widget: 'wid_share_a', secret: OTHER_SECRET });
    await h.write(before.token, 'Before sharing');
    await h.setWidgetSettings('wid_share_a', { secret: OTHER_SECRET, customerScope: 'acme' });

    const old = await h.call('GET', '/webchat/api/history', before.token);
    expect(old.status).toBe(401);
    expect(((await old.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe(
      'expired_session',
    );
    const after = await h.session({ sub: 'cust-80' }, { widget: 'wid_share_a', secret: OTHER_SECRET });
    expect((await h.history(after.token)).messages.map((m) => m.text)).toEqual(['Before sharing']);
  });

  it('R34: a session made before customer scopes (address portal:<sub>) has ended; the next one resolves anew', async () => {
    const token = randomBytes(32).toString('base64url');
    const em = db.em();
    em.create(WebchatSession, {
      account: h.ws.account.id,
      endpoint: h.ws.webchat.id,
      tokenHash: createHash('sha256').update(token).digest('hex'),
      address: 'portal:cust-81',
      identified: true,
      profile: { externalId: 'cust-81' },
    });
    await em.flush();
    for (const path of ['/webchat/api/history', '/webchat/api/stream']) {
      const res = await h.call('GET', path, token);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe(
        'expired_session',
      );
    }
    const sent = await h.call('POST', '/webchat/api/messages', token, { text: 'hi', clientMessageId: 'old' });
    expect(sent.status).toBe(401);
  });
});
