import { describe, expect, it } from 'vitest';
import { User } from '../../src/db/entities/index.ts';
import { seedConversation } from '../queries/support.ts';
import {
  type ApiError,
  appendStoredFile,
  callAs,
  conversationsApiFixture,
  expectJson,
  seedInvoice,
} from './conversations-api-support.ts';

const { db, storage, app, ws, now, c1, c2, c3, c4, c5 } = await conversationsApiFixture();

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
