import { describe, expect, it } from 'vitest';
import { ContactIdentity, Conversation, Message } from '../../../src/db/entities/index.ts';
import { localTestStorage } from '../../support/storage.ts';
import { createTestDb } from '../../support/test-db.ts';
import { sseReader, webchatHarness } from './harness.ts';

/**
 * Issue 9, item 4: a signed-in customer is an identity of the widget's customer scope, not of
 * the whole account. A user token for `sub` on one widget never opens what the same `sub`
 * wrote through a widget of another scope (another site, with its own secret); widgets an admin
 * puts in one shared scope share their customers, and even then a widget shows only its own
 * group's conversations.
 */
const db = await createTestDb();
const h = await webchatHarness(db, { storage: localTestStorage() });
const BRAND_B_SECRET = 'brand-b-secret-5e0a91c7d3';
const SHARED_SECRET = 'shared-scope-secret-77ab';
await h.addWidget('wid_brand_b', { secret: BRAND_B_SECRET });
await h.addWidget('wid_shop', { secret: SHARED_SECRET, customerScope: 'acme' });
await h.addWidget('wid_shop_eu', { secret: SHARED_SECRET, customerScope: 'acme' });
await h.addWidget('wid_sales', { secret: SHARED_SECRET, customerScope: 'acme' }, h.ws.otherGroup);

const png = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);
const upload = async (token: string) => {
  const form = new FormData();
  form.append('file', new File([png], 'receipt.png', { type: 'image/png' }));
  const res = await h.app.request('/webchat/api/uploads', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
    body: form,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
};
/** The first message event of a stream resumed from `lastEventId`. */
const firstStreamed = async (token: string, lastEventId: string) => {
  const res = await h.call('GET', '/webchat/api/stream', token, undefined, { 'Last-Event-ID': lastEventId });
  const sse = sseReader(res);
  expect((await sse.next()).event).toBe('ready');
  const [first] = await sse.messages(1);
  await sse.close();
  return first;
};
const contactOf = async (conversationId: string) =>
  (await db.em().findOneOrFail(Conversation, conversationId)).contact.id;

describe('customer scopes (issue 9, item 4)', () => {
  it('R34: a user token for the same sub on another widget (its own secret) does not open the history written through the first', async () => {
    // The leak as it was: cust-42 writes on wid_support, with a file...
    const a = await h.session({ sub: 'cust-42', name: 'Dana' });
    const fileId = await upload(a.token);
    const written = await h.write(a.token, 'SECRET order 1042 to 5 Elm St', { attachmentIds: [fileId] });
    expect(written.status).toBe(201);
    const secretConv = written.body.conversationId;

    // ...then a token for sub cust-42 signed by another site opens wid_brand_b (same group).
    const b = await h.session({ sub: 'cust-42' }, { widget: 'wid_brand_b', secret: BRAND_B_SECRET });
    expect(await h.history(b.token)).toEqual({
      conversationId: null,
      messages: [],
      lastEventId: null,
      receipts: null,
    });
    expect((await h.call('GET', `/webchat/api/files/${fileId}`, b.token)).status).toBe(404);
    const ack = await h.call('POST', '/webchat/api/ack', b.token, {
      conversationId: secretConv,
      seq: 1,
      state: 'read',
    });
    expect(ack.status).toBe(404);

    // Their first message is a conversation of their own, and a stream resumed from a cursor
    // in the other conversation starts with it.
    const own = await h.write(b.token, 'hello from brand B');
    expect(own.body.conversationId).not.toBe(secretConv);
    expect(await contactOf(own.body.conversationId)).not.toBe(await contactOf(secretConv));
    const streamed = await firstStreamed(b.token, `${secretConv}:0`);
    expect(streamed?.text).toBe('hello from brand B');
    expect(JSON.stringify(await h.history(b.token))).not.toMatch(/SECRET/);
    const identities = await db.em().find(ContactIdentity, { address: { $like: 'portal%cust-42' } });
    expect(identities.map((i) => i.address).sort()).toEqual([
      'portal@wid_brand_b:cust-42',
      'portal@wid_support:cust-42',
    ]);
  });

  it('R17: widgets an admin puts in one shared scope share their customers (same group: the same conversation)', async () => {
    const shop = await h.session({ sub: 'cust-9' }, { widget: 'wid_shop', secret: SHARED_SECRET });
    const first = await h.write(shop.token, 'Ordered on the main shop');
    const eu = await h.session({ sub: 'cust-9' }, { widget: 'wid_shop_eu', secret: SHARED_SECRET });
    const view = await h.history(eu.token);
    expect(view.conversationId).toBe(first.body.conversationId);
    expect(view.messages.map((m) => m.text)).toEqual(['Ordered on the main shop']);
  });

  it("R17: a shared scope never shows another group's conversation of the same customer: history, stream, files and ack", async () => {
    const shop = await h.session({ sub: 'cust-10' }, { widget: 'wid_shop', secret: SHARED_SECRET });
    const fileId = await upload(shop.token);
    const support = (await h.write(shop.token, 'Support-only matter', { attachmentIds: [fileId] })).body;
    const storedId = (await db.em().findOneOrFail(Message, support.messageId)).attachments[0]?.id;

    const sales = await h.session({ sub: 'cust-10' }, { widget: 'wid_sales', secret: SHARED_SECRET });
    expect((await h.history(sales.token)).conversationId).toBeNull();
    expect((await h.call('GET', `/webchat/api/files/${storedId}`, sales.token)).status).toBe(404);
    const ack = await h.call('POST', '/webchat/api/ack', sales.token, {
      conversationId: support.conversationId,
      seq: 1,
      state: 'read',
    });
    expect(ack.status).toBe(404);

    const inSales = (await h.write(sales.token, 'A question for sales')).body;
    // One customer (the scope is shared), two groups, two conversations.
    expect(await contactOf(inSales.conversationId)).toBe(await contactOf(support.conversationId));
    expect(inSales.conversationId).not.toBe(support.conversationId);
    const streamed = await firstStreamed(sales.token, `${support.conversationId}:0`);
    expect(streamed?.text).toBe('A question for sales');
  });
});
