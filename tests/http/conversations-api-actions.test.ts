import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/commands/run-command.ts';
import { Message, type User } from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { AppError } from '../../src/domain/errors.ts';
import { seedConversation } from '../queries/support.ts';
import {
  type ApiError,
  callAs,
  conversationsApiFixture,
  expectJson,
  seedInvoice,
} from './conversations-api-support.ts';
import { ADMIN_TOKEN } from './helpers.ts';

const { db, app, ws, now, c1, c2, c4, c5 } = await conversationsApiFixture();

type ListBody = { items: { id: string; number: number; restricted: boolean }[]; nextCursor: string | null };
const list = async (as: User | string, query = '') =>
  expectJson<ListBody>(await callAs(app, as, 'GET', `/conversations${query}`));
const ids = (body: ListBody) => body.items.map((i) => i.id).sort();

describe('actions as a named user (R15, R20, R21, R23, R33)', () => {
  it('R29 R7: a reply as Bob is queued for the contact, authored by Bob; a note by Alice stays private', async () => {
    const reply = await expectJson<{ messageId: string; conversationId: string }>(
      await callAs(app, ws.bob, 'POST', `/conversations/${c2.id}/replies`, { text: 'On its way 🚚' }),
      201,
    );
    expect(reply.conversationId).toBe(c2.id);
    const sent = await db.em().findOneOrFail(Message, reply.messageId, { populate: ['author'] });
    expect(sent).toMatchObject({ kind: 'reply', text: 'On its way 🚚', deliveryState: 'queued' });
    expect(sent.author?.id).toBe(ws.bob.id);

    const note = await expectJson<{ messageId: string }>(
      await callAs(app, ws.alice, 'POST', `/conversations/${c1.number}/notes`, { text: 'VIP customer' }),
      201,
    );
    const saved = await db.em().findOneOrFail(Message, note.messageId);
    expect(saved).toMatchObject({ kind: 'note', deliveryState: null });

    // R7 as on Slack: WhatsApp's 24-hour window is closed for this contact (no recent message).
    const outside = await expectJson<ApiError>(
      await callAs(app, ws.bob, 'POST', `/conversations/${c1.id}/replies`, { text: 'Hello?' }),
      422,
    );
    expect(outside.error).toMatchObject({ code: 'channel_refused', details: { rule: 'R7' } });

    const empty = await expectJson<ApiError>(
      await callAs(app, ws.bob, 'POST', `/conversations/${c1.id}/replies`, { text: '  ' }),
      422,
    );
    expect(empty.error.code).toBe('validation_failed');
  });

  it('R20 R33: closing is refused to an agent who is not an assignee, exactly as the Slack command refuses', async () => {
    const refused = await expectJson<ApiError>(
      await callAs(app, ws.alice, 'POST', `/conversations/${c2.id}/close`),
      403,
    );
    const slack = await runCommand(
      { em: db.em() },
      {
        command: { kind: 'close', conversationNumber: c2.number },
        actor: userActor(ws.alice.id),
        surface: 'slack',
      },
    ).catch((e: unknown) => e);
    expect(slack).toBeInstanceOf(AppError);
    expect(refused.error).toMatchObject({
      code: (slack as AppError).code,
      message: (slack as AppError).message,
      details: { rule: 'R20' },
    });
  });

  it('R15 R20 R23: assign, then the assignee closes and reopens; the state comes back', async () => {
    const assigned = await expectJson<{ assigneeIds: string[]; changed: boolean }>(
      await callAs(app, ws.alice, 'POST', `/conversations/${c2.id}/assign`, { assigneeIds: [ws.bob.id] }),
    );
    expect(assigned).toMatchObject({ assigneeIds: [ws.bob.id], changed: true });
    const outsider = await expectJson<ApiError>(
      await callAs(app, ws.alice, 'POST', `/conversations/${c2.id}/assign`, { assigneeIds: [ws.carol.id] }),
      422,
    );
    expect(outsider.error.code).toBe('rule_violation');
    const closed = await expectJson<{ status: string }>(
      await callAs(app, ws.bob, 'POST', `/conversations/${c2.id}/close`),
    );
    expect(closed.status).toBe('closed');
    expect(ids(await list(ws.bob, '?status=closed'))).toContain(c2.id);
    const reopened = await expectJson<{ status: string }>(
      await callAs(app, ws.bob, 'POST', `/conversations/${c2.number}/reopen`),
    );
    expect(reopened.status).toBe('open');
    const again = await expectJson<ApiError>(
      await callAs(app, ws.bob, 'POST', `/conversations/${c2.id}/reopen`),
      409,
    );
    expect(again.error).toMatchObject({ code: 'conflict', details: { rule: 'R23' } });
  });

  it('R21: an admin’s close is refused while an invoice is unpaid, naming it', async () => {
    const c = await seedConversation(db, ws, now, { contactName: 'Jo Owes' });
    await seedInvoice(db, c, 'INV-OWED-7');
    const refused = await expectJson<ApiError>(
      await callAs(app, ws.admin, 'POST', `/conversations/${c.id}/close`),
      422,
    );
    expect(refused.error.message).toContain('INV-OWED-7');
  });

  it('R17 R33: every action on a conversation the user may not see is refused, and nothing is written', async () => {
    const before = await db.em().count(Message, { conversation: c4.id });
    for (const [path, body] of [
      ['replies', { text: 'hi' }],
      ['notes', { text: 'psst' }],
      ['assign', { assigneeIds: [ws.bob.id] }],
      ['close', undefined],
    ] as const) {
      const res = await callAs(app, ws.bob, 'POST', `/conversations/${c4.id}/${path}`, body);
      expect(res.status, path).toBe(403);
      expect(((await res.json()) as ApiError).error.code).toBe('forbidden');
      const other = await callAs(app, ws.carol, 'POST', `/conversations/${c4.id}/${path}`, body);
      expect(other.status, path).toBe(404);
    }
    expect(await db.em().count(Message, { conversation: c4.id })).toBe(before);
  });
});

describe('GET /audit-events', () => {
  type Events = {
    items: {
      action: string;
      actorUserId: string | null;
      conversationId: string | null;
      conversationNumber: number | null;
    }[];
    nextCursor: string | null;
  };
  const events = async (as: User, query = '') =>
    expectJson<Events>(await callAs(app, as, 'GET', `/audit-events${query}`));

  it('lists what was done through the API, by whom, with filters and pages', async () => {
    const c = await seedConversation(db, ws, now, { contactName: 'Kim Audit' });
    const since = new Date().toISOString();
    await expectJson(
      await callAs(app, ws.alice, 'POST', `/conversations/${c.id}/assign`, { assigneeIds: [ws.alice.id] }),
    );
    await expectJson(await callAs(app, ws.alice, 'POST', `/conversations/${c.id}/close`));
    await expectJson(await callAs(app, ws.admin, 'POST', `/conversations/${c.id}/reopen`));

    const all = await events(ws.admin, `?conversationId=${c.id}`);
    expect(all.items.map((e) => [e.action, e.actorUserId])).toEqual([
      ['conversation.reopened', ws.admin.id],
      ['conversation.closed', ws.alice.id],
      ['conversation.assigned', ws.alice.id],
    ]);
    expect(all.items[0]!.conversationNumber).toBe(c.number);
    expect((await events(ws.admin, `?conversationId=${c.id}&userId=${ws.alice.id}`)).items).toHaveLength(2);
    expect((await events(ws.admin, `?conversationId=${c.id}&action=conversation.closed`)).items).toHaveLength(
      1,
    );
    expect((await events(ws.admin, `?conversationId=${c.id}&action=conversation.`)).items).toHaveLength(3);
    expect((await events(ws.admin, `?conversationId=${c.id}&since=${since}`)).items).toHaveLength(3);
    expect((await events(ws.admin, `?conversationId=${c.id}&until=${since}`)).items).toHaveLength(0);

    const first = await events(ws.admin, `?conversationId=${c.id}&limit=2`);
    expect(first.items).toHaveLength(2);
    const rest = await events(ws.admin, `?conversationId=${c.id}&limit=2&cursor=${first.nextCursor}`);
    expect(rest.items.map((e) => e.action)).toEqual(['conversation.assigned']);
    expect(rest.nextCursor).toBeNull();
  });

  it('R17: agents see the events of conversations they may see, never the restricted ones or the workspace setup', async () => {
    await expectJson(
      await callAs(app, ws.alice, 'POST', `/conversations/${c4.id}/assign`, { assigneeIds: [ws.alice.id] }),
    );
    const alice = await events(ws.alice, '?limit=100');
    expect(alice.items.some((e) => e.conversationId === c4.id)).toBe(true);
    const bob = await events(ws.bob, '?limit=100');
    expect(bob.items.some((e) => e.conversationId === c4.id)).toBe(false);
    expect(bob.items.some((e) => e.conversationId === null)).toBe(false);
    const carol = await events(ws.carol, '?limit=100');
    expect(carol.items.every((e) => e.conversationId === c5.id)).toBe(true);
    const filtered = await events(ws.bob, `?conversationId=${c4.id}`);
    expect(filtered.items).toEqual([]);
    const bad = await expectJson<ApiError>(
      await callAs(app, ws.admin, 'GET', '/audit-events?action=DROP%20TABLE'),
      422,
    );
    expect(bad.error.code).toBe('validation_failed');
  });
});

describe('bad input', () => {
  it('is refused with a 4xx in the error shape and writes nothing; nothing is a 5xx', async () => {
    const before = await db.em().count(Message, {});
    const cases: [string, string, unknown, number][] = [
      ['GET', "/conversations?words=a%20%26%20b%20%7C%20!c%3A*%20'%3B--", undefined, 200],
      ['GET', '/conversations?limit=0', undefined, 422],
      ['GET', '/conversations?status=deleted', undefined, 422],
      ['GET', '/conversations?assignee=someone', undefined, 422],
      ['GET', '/conversations/abc', undefined, 422],
      ['GET', '/conversations/999999999', undefined, 404],
      ['GET', '/audit-events?since=yesterday', undefined, 422],
      ['POST', `/conversations/${c1.id}/notes`, { text: '' }, 422],
      ['POST', `/conversations/${c1.id}/notes`, { text: 'x'.repeat(20_001) }, 422],
      ['POST', `/conversations/${c1.id}/assign`, { assigneeIds: ['not-a-uuid'] }, 422],
      ['POST', `/conversations/${c1.id}/replies`, {}, 422],
    ];
    for (const [method, path, body, status] of cases) {
      const res = await callAs(app, ws.alice, method, path, body);
      const text = await res.text();
      expect(res.status, `${method} ${path}: ${text}`).toBe(status);
      if (status >= 400) expect(JSON.parse(text).error.code, path).toMatch(/^[a-z_]+$/);
    }
    const malformed = await app.request(`/api/admin/v1/conversations/${c1.id}/notes`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        'x-parley-user': ws.alice.id,
        'content-type': 'application/json',
      },
      body: '{"text": ',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as ApiError).error.code).toBe('bad_request');
    expect(await db.em().count(Message, {})).toBe(before);
  });
});

describe('OpenAPI document', () => {
  it('describes the conversation and audit routes, the X-Parley-User header and the error shape', async () => {
    const doc = (await (await app.request('/api/admin/openapi.json')).json()) as {
      paths: Record<
        string,
        Record<string, { parameters?: { name: string }[]; responses: Record<string, unknown> }>
      >;
    };
    for (const path of [
      '/api/admin/v1/conversations',
      '/api/admin/v1/conversations/{id}',
      '/api/admin/v1/conversations/{id}/replies',
      '/api/admin/v1/conversations/{id}/notes',
      '/api/admin/v1/conversations/{id}/assign',
      '/api/admin/v1/conversations/{id}/close',
      '/api/admin/v1/conversations/{id}/reopen',
      '/api/admin/v1/audit-events',
    ]) {
      const op = Object.values(doc.paths[path] ?? {})[0];
      expect(op, path).toBeDefined();
      expect(
        op!.parameters?.map((p) => p.name),
        path,
      ).toContain('x-parley-user');
      expect(Object.keys(op!.responses), path).toContain('401');
    }
    expect(Object.keys(doc.paths['/api/admin/v1/conversations/{id}/close']!.post!.responses)).toContain(
      '403',
    );
  });
});
