import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Contact, ContactIdentity, Conversation, WebchatSession } from '../../../src/db/entities/index.ts';
import { seedContact } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { sseReader, webchatHarness } from './harness.ts';

/**
 * Issue 9, item 4, for customers that existed before customer scopes: a portal profile an admin
 * declared (`portal:<id>`), sessions made before, and a widget that later joins a shared scope.
 * The tests run in order: the account starts with one widget, then gets a second scope.
 */
const db = await createTestDb();
const h = await webchatHarness(db);
const OTHER_SECRET = 'other-site-secret-3c1d9e';

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
    const s = await h.session({ sub: 'cust-77' });
    const res = await h.call('GET', '/webchat/api/stream', s.token);
    const sse = sseReader(res);
    expect((await sse.next()).event).toBe('ready');
    const [seen] = await sse.messages(1);
    const reply = await h.reply(seen!.conversationId, 'Hello Dana 👋');
    expect(reply.delivery.outcome).toBe('sent');
    // The contact's first webchat identity is the declared one: that is where the reply goes.
    expect((await h.message(reply.messageId)).meta).not.toHaveProperty('waitingForVisit');
    const [live] = await sse.messages(1);
    expect(live?.text).toBe('Hello Dana 👋');
    await sse.close();
  });

  it('R34: with several customer scopes, a declared portal id matches none of them (it could be either site’s customer)', async () => {
    await h.addWidget('wid_other', { secret: OTHER_SECRET });
    const { contact } = await seedContact(db.em(), h.ws.account, { name: 'Eve', portalId: 'cust-78' });
    const s = await h.session({ sub: 'cust-78' });
    const sent = await h.write(s.token, 'Who am I?');
    expect((await conversation(sent.body.conversationId)).contact.id).not.toBe(contact.id);
    expect(await webchatAddresses(contact.id)).toEqual(['portal:cust-78']);
  });

  it('R16: an admin can declare the scoped identity itself, and a link made earlier stays', async () => {
    const { contact } = await seedContact(db.em(), h.ws.account, { name: 'Finn' });
    const em = db.em();
    em.create(ContactIdentity, {
      account: h.ws.account.id,
      contact: contact.id,
      channel: 'webchat',
      address: 'portal@wid_other:cust-79',
    });
    await em.flush();
    const finn = await h.session({ sub: 'cust-79' }, { widget: 'wid_other', secret: OTHER_SECRET });
    const sent = await h.write(finn.token, 'Finn here');
    expect((await conversation(sent.body.conversationId)).contact.id).toBe(contact.id);

    const dana = await h.session({ sub: 'cust-77' });
    expect((await h.history(dana.token)).messages.map((m) => m.text)).toEqual([
      'It is Dana',
      'Hello Dana 👋',
    ]);
  });

  it('R34: when a widget joins a shared scope, its sessions end, and its customers keep their history', async () => {
    const before = await h.session({ sub: 'cust-80' }, { widget: 'wid_other', secret: OTHER_SECRET });
    await h.write(before.token, 'Before sharing');
    await h.setWidgetSettings('wid_other', { secret: OTHER_SECRET, customerScope: 'acme' });

    const old = await h.call('GET', '/webchat/api/history', before.token);
    expect(old.status).toBe(401);
    expect(((await old.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe(
      'expired_session',
    );
    const after = await h.session({ sub: 'cust-80' }, { widget: 'wid_other', secret: OTHER_SECRET });
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
