import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/commands/run-command.ts';
import { Message, User } from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { AppError } from '../../src/domain/errors.ts';
import { clock, seedConversation, workspace } from '../queries/support.ts';
import { localTestStorage } from '../support/storage.ts';
import { createTestDb } from '../support/test-db.ts';
import {
  type ApiError,
  appendStoredFile,
  callAs,
  expectJson,
  seedInvoice,
} from './conversations-api-support.ts';
import { ADMIN_TOKEN, sharedRedis, testApp } from './helpers.ts';

const db = await createTestDb();
const storage = localTestStorage();
const { app } = testApp(db, sharedRedis(), { PUBLIC_URL: 'https://parley.test' }, { storage });
const { ws } = await workspace(db);
const now = clock();

// Support: c1 (WhatsApp, Bob's, unreplied), c2 (SMS, unassigned, answered), c3 (closed),
// c4 (restricted to Alice); Sales: c5.
const c1 = await seedConversation(db, ws, now, {
  contactName: 'Dana Parcel',
  assignees: [ws.bob],
  messages: [{ kind: 'inbound', text: 'Where is my parcel?' }],
});
const c2 = await seedConversation(db, ws, now, {
  contactName: 'Eli Sms',
  channel: 'sms',
  messages: [
    { kind: 'inbound', text: 'Opening hours?' },
    { kind: 'reply', text: 'Nine to five', author: ws.alice },
  ],
});
const c3 = await seedConversation(db, ws, now, { contactName: 'Fay Closed', status: 'closed' });
const c4 = await seedConversation(db, ws, now, {
  contactName: 'Gus Secret',
  visibleTo: [ws.alice],
  messages: [{ kind: 'inbound', text: 'Confidential merger question' }],
});
const c5 = await seedConversation(db, ws, now, { contactName: 'Hal Sales', group: ws.otherGroup });

type ListBody = { items: { id: string; number: number; restricted: boolean }[]; nextCursor: string | null };
const list = async (as: User | string, query = '') =>
  expectJson<ListBody>(await callAs(app, as, 'GET', `/conversations${query}`));
const ids = (body: ListBody) => body.items.map((i) => i.id).sort();
const sorted = (...convs: { id: string }[]) => convs.map((c) => c.id).sort();

describe('GET /conversations (R9, R10, R17, R33)', () => {
  it('R17: lists what the named user may see, open by default; restricted ones only to their list', async () => {
    expect(ids(await list(ws.bob))).toEqual(sorted(c1, c2));
    expect(ids(await list(ws.alice))).toEqual(sorted(c1, c2, c4));
    expect(ids(await list(ws.carol))).toEqual(sorted(c5));
    // By email too, in any case.
    expect(ids(await list('BOB@acme.test'))).toEqual(sorted(c1, c2));
  });

  it('R10: status, group, assignee, unreplied, channel and words filters, combined', async () => {
    expect(ids(await list(ws.bob, '?status=closed'))).toEqual(sorted(c3));
    expect(ids(await list(ws.bob, '?status=all'))).toEqual(sorted(c1, c2, c3));
    expect(ids(await list(ws.bob, `?groupId=${ws.group.id}&status=all`))).toEqual(sorted(c1, c2, c3));
    expect(ids(await list(ws.bob, '?assignee=me'))).toEqual(sorted(c1));
    expect(ids(await list(ws.alice, `?assignee=${ws.bob.id}`))).toEqual(sorted(c1));
    expect(ids(await list(ws.bob, '?assignee=none'))).toEqual(sorted(c2));
    expect(ids(await list(ws.alice, '?unreplied=true'))).toEqual(sorted(c1, c4));
    expect(ids(await list(ws.alice, '?unreplied=false'))).toEqual(sorted(c2));
    expect(ids(await list(ws.bob, '?channel=sms'))).toEqual(sorted(c2));
    expect(ids(await list(ws.bob, '?words=parc'))).toEqual(sorted(c1));
    expect(ids(await list(ws.bob, '?words=parcel&channel=sms'))).toEqual([]);
    // R17: Bob searching for the restricted conversation's words finds nothing; Alice finds it.
    expect(ids(await list(ws.bob, '?words=merger'))).toEqual([]);
    expect(ids(await list(ws.alice, '?words=merger'))).toEqual(sorted(c4));
  });

  it('pages with a cursor, newest activity first, every conversation once', async () => {
    const seen: string[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const page = await list(ws.alice, `?status=all&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      pages++;
    }
    expect(pages).toBe(2);
    expect(seen).toEqual([c4.id, c3.id, c2.id, c1.id]);
  });

  it('refuses with the error shape: no user named, an unknown or deactivated user, a group not theirs, a bad cursor', async () => {
    const none = await callAs(app, null, 'GET', '/conversations');
    expect(none.status).toBe(422);
    expect(((await none.json()) as ApiError).error).toMatchObject({ code: 'validation_failed' });

    const unknown = await expectJson<ApiError>(
      await callAs(app, 'nobody@acme.test', 'GET', '/conversations'),
      422,
    );
    expect(unknown.error.message).toContain('There is no Parley user nobody@acme.test');

    const em = db.em();
    const gone = em.create(User, {
      account: ws.account.id,
      name: 'Gone',
      email: 'gone@acme.test',
      role: 'agent',
      groupIds: [ws.group.id],
      active: false,
    });
    await em.flush();
    const inactive = await expectJson<ApiError>(await callAs(app, gone, 'GET', '/conversations'), 403);
    expect(inactive.error).toMatchObject({ code: 'forbidden', details: { rule: 'R33' } });

    const other = await expectJson<ApiError>(
      await callAs(app, ws.bob, 'GET', `/conversations?groupId=${ws.otherGroup.id}`),
      403,
    );
    expect(other.error).toMatchObject({ code: 'forbidden', details: { rule: 'R33' } });

    const bad = await expectJson<ApiError>(
      await callAs(app, ws.bob, 'GET', '/conversations?cursor=nonsense'),
      400,
    );
    expect(bad.error.code).toBe('bad_request');
    expect(bad.error.requestId).toBeTruthy();
  });
});

describe('GET /conversations/{id}', () => {
  const bytes = new TextEncoder().encode('%PDF-1.7 quote');

  it('R5 R28: messages in order, notes flagged as notes, system lines flagged, attachments as signed links, invoices', async () => {
    const c = await seedConversation(db, ws, now, {
      contactName: 'Ivy Detail',
      messages: [
        { kind: 'inbound', text: 'Can you fix my bike?' },
        { kind: 'note', text: 'Check the warranty first', author: ws.alice },
      ],
    });
    await storage.put('2026-03-01/quote-file', bytes, 'application/pdf');
    await appendStoredFile(
      db,
      c.id,
      { key: '2026-03-01/quote-file', name: 'quote.pdf', mimeType: 'application/pdf', size: bytes.length },
      now(),
    );
    await seedInvoice(db, c, 'INV-DETAIL-1');
    await expectJson(
      await callAs(app, ws.alice, 'POST', `/conversations/${c.id}/assign`, { assigneeIds: [ws.bob.id] }),
    );

    const detail = await expectJson<{
      number: number;
      assignees: { name: string }[];
      messages: {
        kind: string;
        note: boolean;
        system: boolean;
        text: string;
        author: { name: string } | null;
        attachments: { name: string | null; url: string | null; status: string | null }[];
      }[];
      invoices: { reference: string; status: string; amountMinor: number; currency: string }[];
    }>(await callAs(app, ws.bob, 'GET', `/conversations/${c.id}`));
    expect(detail.number).toBe(c.number);
    expect(detail.assignees.map((a) => a.name)).toEqual(['Bob']);
    expect(detail.messages.map((m) => [m.kind, m.note, m.system])).toEqual([
      ['inbound', false, false],
      ['note', true, false],
      ['inbound', false, false],
      ['system', false, true],
    ]);
    expect(detail.messages[1]).toMatchObject({ text: 'Check the warranty first', author: { name: 'Alice' } });
    expect(detail.invoices).toEqual([
      expect.objectContaining({
        reference: 'INV-DETAIL-1',
        status: 'unpaid',
        amountMinor: 4200,
        currency: 'EUR',
      }),
    ]);

    const [stored, pending] = detail.messages[2]!.attachments;
    expect(pending).toMatchObject({ status: 'pending', url: null });
    expect(stored?.url).toMatch(
      /^https:\/\/parley\.test\/api\/admin\/files\/2026-03-01\/quote-file\?exp=\d+&sig=/,
    );
    // The link works without the admin token, sandboxed and as a download.
    const file = await app.request(stored!.url!.replace('https://parley.test', ''));
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);
    expect(file.headers.get('content-disposition')).toContain("attachment; filename*=UTF-8''quote.pdf");
    expect(file.headers.get('content-security-policy')).toContain('sandbox');
    // A tampered link is refused.
    const forged = await app.request(
      stored!.url!.replace('https://parley.test', '').replace('quote-file', 'other-file'),
    );
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as ApiError).error.code).toBe('forbidden');

    // By number as well.
    const byNumber = await expectJson<{ id: string }>(
      await callAs(app, ws.bob, 'GET', `/conversations/${c.number}`),
    );
    expect(byNumber.id).toBe(c.id);
  });

  it('R17: a restricted conversation answers 403 naming only its number; another group’s 404; content never leaks', async () => {
    const restricted = await callAs(app, ws.bob, 'GET', `/conversations/${c4.id}`);
    const text = await restricted.text();
    expect(restricted.status).toBe(403);
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'forbidden', details: { rule: 'R17' } } });
    expect(text).not.toContain('merger');
    expect(text).not.toContain('Gus');
    const elsewhere = await callAs(app, ws.carol, 'GET', `/conversations/${c1.id}`);
    expect(elsewhere.status).toBe(404);
    expect(((await elsewhere.json()) as ApiError).error.code).toBe('not_found');
    const seen = await expectJson<{ messages: { text: string }[] }>(
      await callAs(app, ws.alice, 'GET', `/conversations/${c4.number}`),
    );
    expect(seen.messages.map((m) => m.text)).toEqual(['Confidential merger question']);
  });
});

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
