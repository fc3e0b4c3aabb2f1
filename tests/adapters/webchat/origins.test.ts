import { describe, expect, it } from 'vitest';
import { countRows } from '../../support/bad-input-corpus.ts';
import { createTestDb } from '../../support/test-db.ts';
import { WIDGET_SECRET, webchatHarness } from './harness.ts';

/**
 * Issue 9, item 6: a widget's `allowedOrigins` names the sites that may embed it. Session creation
 * from any other site is refused with 403 and writes nothing; the API's CORS answer names only an
 * allowed site. Without a list, any site may use the widget (CORS `*`), as before.
 */
const db = await createTestDb();
const h = await webchatHarness(db);
const SHOP = 'https://shop.example.com';
await h.addWidget('wid_locked', {
  secret: WIDGET_SECRET,
  allowedOrigins: [SHOP, 'https://www.example.com/'],
});

const start = (widget: string, origin?: string) =>
  h.call('POST', '/webchat/api/sessions', null, { widget }, origin ? { Origin: origin } : {});
const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { code: string; message: string; details: { reason: string } } }).error;

describe('allowed origins of a widget (issue 9, item 6)', () => {
  it('R33: a session from a site not on the list is refused with 403 and nothing is stored', async () => {
    const before = await countRows(db.em());
    for (const origin of ['https://evil.example.net', 'http://shop.example.com', 'null', undefined]) {
      const res = await start('wid_locked', origin);
      expect(res.status).toBe(403);
      expect(res.headers.get('Access-Control-Allow-Origin')).toBeNull();
      const error = await errorOf(res);
      expect(error).toMatchObject({ code: 'forbidden', details: { reason: 'origin_not_allowed' } });
      if (origin) expect(error.message).toContain(`not enabled for ${origin}`);
    }
    expect(await countRows(db.em())).toEqual(before);
  });

  it('R33: a listed site (a trailing slash in the setting is fine) gets its session, and CORS names it', async () => {
    for (const origin of [SHOP, 'https://www.example.com']) {
      const res = await start('wid_locked', origin);
      expect(res.status).toBe(201);
      expect(res.headers.get('Access-Control-Allow-Origin')).toBe(origin);
      expect(res.headers.get('Vary')).toMatch(/Origin/);
    }
    // Parley's own demo page may show any widget.
    expect((await start('wid_locked', 'https://parley.test')).status).toBe(201);
  });

  it('R33: later calls from another site are refused; a call without an Origin (same-origin GET) is not', async () => {
    const { token } = (await (await start('wid_locked', SHOP)).json()) as { token: string };
    const elsewhere = await h.call('GET', '/webchat/api/history', token, undefined, {
      Origin: 'https://evil.example.net',
    });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const listed = await h.call('GET', '/webchat/api/history', token, undefined, { Origin: SHOP });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('Access-Control-Allow-Origin')).toBe(SHOP);
    expect((await h.call('GET', '/webchat/api/history', token)).status).toBe(200);
  });

  it('R33: a widget without a list answers any site, as before (CORS *)', async () => {
    const res = await start('wid_support', 'https://anywhere.example.org');
    expect(res.status).toBe(201);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });

  it('R33: an invalid allowedOrigins or customerScope setting makes the widget unavailable with a reason an admin can act on, never open', async () => {
    await h.addWidget('wid_typo', { allowedOrigins: 'https://shop.example.com' });
    await h.addWidget('wid_path', { allowedOrigins: ['https://shop.example.com/chat'] });
    await h.addWidget('wid_scope', { customerScope: 'acme:eu' });
    for (const [widget, setting] of [
      ['wid_typo', 'allowedOrigins'],
      ['wid_path', 'allowedOrigins'],
      ['wid_scope', 'customerScope'],
    ]) {
      const res = await start(widget!, SHOP);
      expect(res.status).toBe(503);
      const error = await errorOf(res);
      expect(error.code).toBe('not_configured');
      expect(error.message).toContain(`invalid settings (${setting}`);
    }
  });
});
