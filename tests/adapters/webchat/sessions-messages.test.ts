import { describe, expect, it } from 'vitest';
import { ContactIdentity, Conversation, Message, WebchatSession } from '../../../src/db/entities/index.ts';
import { userActor } from '../../../src/domain/actor.ts';
import { closeConversation } from '../../../src/use-cases/close-conversation.ts';
import { createTestDb } from '../../support/test-db.ts';
import { userToken, webchatHarness } from './harness.ts';

const db = await createTestDb();
const h = await webchatHarness(db);

const identityOf = (address: string) =>
  db.em().findOneOrFail(ContactIdentity, { channel: 'webchat', address }, { populate: ['contact'] });

describe('webchat sessions', () => {
  it('R2: an anonymous visitor gets a session; their first message opens a conversation in the widget’s group', async () => {
    const s = await h.session();
    expect(s.identified).toBe(false);
    const sent = await h.write(s.token, 'Hello, is anyone there? 👋', { clientMessageId: 'first' });
    expect(sent.status).toBe(201);

    const identity = await identityOf(`session:${s.sessionId}`);
    expect(identity.identified).toBe(false);
    expect(identity.contact.portalProfile).toBeNull();
    const conv = await db.em().findOneOrFail(Conversation, sent.body.conversationId);
    expect(conv.group.id).toBe(h.ws.group.id);
    expect(conv.channel).toBe('webchat');
    const msg = await h.message(sent.body.messageId);
    expect(msg.text).toBe('Hello, is anyone there? 👋');
    expect(msg.provider).toBe('webchat');
    expect(msg.providerMessageId).toBe(`${s.sessionId}:first`);
  });

  it('R16: a customer signed in by the site is identified with their portal profile', async () => {
    const s = await h.session({ sub: 'cust-42', name: 'Dana Lee', email: 'dana@example.com' });
    expect(s.identified).toBe(true);
    await h.write(s.token, 'Where is my order?');
    // The site's user id within the widget's customer scope (the widget itself by default).
    const identity = await identityOf('portal@wid_support:cust-42');
    expect(identity.identified).toBe(true);
    expect(identity.contact.portalProfile).toEqual({
      externalId: 'cust-42',
      name: 'Dana Lee',
      email: 'dana@example.com',
    });
    expect(identity.contact.name).toBe('Dana Lee');
  });

  it('a user token signed with another secret is refused with 401 and a reason; no session is made', async () => {
    const before = await db.em().count(WebchatSession, {});
    const bad = await userToken({ sub: 'cust-1' }, { secret: 'not-the-widget-secret' });
    const res = await h.call('POST', '/webchat/api/sessions', null, {
      widget: 'wid_support',
      userToken: bad,
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { message: string; details: { reason: string } } };
    expect(body.error.message).toMatch(/not signed with this widget's secret/);
    expect(body.error.details.reason).toBe('invalid');
    expect(await db.em().count(WebchatSession, {})).toBe(before);
  });

  it('an expired user token is refused with 401 saying it expired', async () => {
    const expired = await userToken({ sub: 'cust-1' }, { expiresIn: -60 });
    const res = await h.call('POST', '/webchat/api/sessions', null, {
      widget: 'wid_support',
      userToken: expired,
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: { message: string; details: { reason: string } } };
    expect(body.error.details.reason).toBe('expired');
    expect(body.error.message).toMatch(/expired/);
  });

  it('an unknown widget answers 404 and says how to create it', async () => {
    const res = await h.call('POST', '/webchat/api/sessions', null, { widget: 'wid_nope' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /npx parley endpoints create .*--channel webchat --address wid_nope/,
    );
  });

  it('a request without a valid session token is refused with 401', async () => {
    const res = await h.call('POST', '/webchat/api/messages', 'made-up-token', {
      text: 'hi',
      clientMessageId: 'x',
    });
    expect(res.status).toBe(401);
    expect((await h.call('GET', '/webchat/api/history', null)).status).toBe(401);
  });
});

describe('webchat messages', () => {
  it('a POST retried after a network blip (same clientMessageId) is one message', async () => {
    const s = await h.session();
    const body = { text: 'Retry me', clientMessageId: 'blip-1' };
    const first = await h.call('POST', '/webchat/api/messages', s.token, body);
    const again = await h.call('POST', '/webchat/api/messages', s.token, body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    const a = (await first.json()) as { messageId: string };
    const b = (await again.json()) as { messageId: string; duplicate: boolean };
    expect(b).toMatchObject({ messageId: a.messageId, duplicate: true });
    expect(
      await db.em().count(Message, { provider: 'webchat', providerMessageId: `${s.sessionId}:blip-1` }),
    ).toBe(1);
  });

  it('concurrent copies of one POST make one message', async () => {
    const s = await h.session();
    const body = { text: 'Concurrent', clientMessageId: 'same-id' };
    const answers = await Promise.all(
      [1, 2, 3, 4].map(() => h.call('POST', '/webchat/api/messages', s.token, body)),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    const conv = await db.em().findOneOrFail(Conversation, {
      contact: (await identityOf(`session:${s.sessionId}`)).contact,
    });
    expect(await db.em().count(Message, { conversation: conv })).toBe(1);
  });

  it('the same clientMessageId from two sessions is two messages', async () => {
    const [a, b] = [await h.session(), await h.session()];
    const body = { text: 'Hi', clientMessageId: 'shared' };
    expect((await h.call('POST', '/webchat/api/messages', a.token, body)).status).toBe(201);
    expect((await h.call('POST', '/webchat/api/messages', b.token, body)).status).toBe(201);
  });

  it('an empty message is refused with 422 and nothing is written', async () => {
    const s = await h.session();
    const before = await db.em().count(Message, {});
    const res = await h.call('POST', '/webchat/api/messages', s.token, {
      text: '   ',
      clientMessageId: 'e1',
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /needs text or a file/,
    );
    expect(await db.em().count(Message, {})).toBe(before);
    expect(await db.em().count(ContactIdentity, { address: `session:${s.sessionId}` })).toBe(0);
  });

  it('a body that is not JSON is refused with 400', async () => {
    const s = await h.session();
    const res = await h.app.request('/webchat/api/messages', {
      method: 'POST',
      headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
  });

  it('R22: after the conversation is closed, the visitor’s next message opens a new one', async () => {
    const s = await h.session();
    const first = await h.write(s.token, 'First visit');
    await closeConversation(h.context(), userActor(h.ws.admin.id), {
      conversationId: first.body.conversationId,
    });
    const second = await h.write(s.token, 'Back again');
    expect(second.body.conversationId).not.toBe(first.body.conversationId);
    const view = await h.history(s.token);
    expect(view.conversationId).toBe(second.body.conversationId);
    expect(view.messages.map((m) => m.text)).toEqual(['Back again']);
  });
});
