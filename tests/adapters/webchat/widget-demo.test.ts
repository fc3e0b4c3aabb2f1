import { describe, expect, it } from 'vitest';
import { VISITOR_LEFT, VisitorLeft } from '../../../adapters/channels/webchat/errors.ts';
import { ChannelEndpoint } from '../../../src/db/entities/index.ts';
import { isAppError } from '../../../src/domain/errors.ts';
import type { RawRequest } from '../../../src/ports/customer-channel.ts';
import { createTestDb } from '../../support/test-db.ts';
import { webchatHarness } from './harness.ts';

const db = await createTestDb();
const h = await webchatHarness(db);

describe('the widget script', () => {
  it('is served as JavaScript with a long cache and an ETag; a revalidation with the ETag answers 304', async () => {
    const res = await h.app.request('/webchat/widget.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('Cache-Control')).toMatch(/max-age=86400/);
    const etag = res.headers.get('ETag');
    expect(etag).toMatch(/^".+"$/);
    const source = await res.text();
    expect(source).toContain('attachShadow');
    // Customer text is rendered as text, never parsed as HTML.
    expect(source).not.toMatch(/innerHTML|insertAdjacentHTML|outerHTML/);

    const again = await h.app.request('/webchat/widget.js', { headers: { 'If-None-Match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('the API answers cross-origin preflights, since the widget runs on the customer’s site', async () => {
    const res = await h.app.request('/webchat/api/messages', {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://shop.example.com',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
    expect(res.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('authorization');
  });

  it('a refusal is readable cross-origin too, so the widget can show its reason', async () => {
    const res = await h.app.request('/webchat/api/history', {
      headers: { Origin: 'https://shop.example.com' },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('*');
  });
});

describe('the demo page', () => {
  it('embeds the widget of the first webchat endpoint, with the snippet to copy', async () => {
    const res = await h.app.request('/webchat/demo');
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<script src="/webchat/widget.js" data-widget="wid_support" async></script>');
    expect(page).toContain(
      '&lt;script src=&quot;https://parley.test/webchat/widget.js&quot; data-widget=&quot;wid_support&quot; async&gt;&lt;/script&gt;',
    );
  });

  it('escapes names from the database', async () => {
    const em = db.em();
    em.create(ChannelEndpoint, {
      account: h.ws.account,
      group: h.ws.group,
      channel: 'webchat',
      address: 'wid_x',
      name: '<img src=x onerror=alert(1)>',
    });
    await em.flush();
    const page = await (await h.app.request('/webchat/demo?widget=wid_x')).text();
    expect(page).not.toContain('<img src=x');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('explains how to create a widget when there is none by that name', async () => {
    const res = await h.app.request('/webchat/demo?widget=%3Cb%3Enope');
    expect(res.status).toBe(404);
    const page = await res.text();
    expect(page).toContain('npx parley endpoints create --group Support --channel webchat');
    expect(page).toContain('&lt;b&gt;nope');
  });
});

describe('the webchat channel', () => {
  it('has no webhook: verify and parse refuse and point to the widget API', async () => {
    const raw: RawRequest = {
      method: 'POST',
      url: 'https://parley.test/x',
      headers: new Headers(),
      body: new Uint8Array(),
    };
    for (const call of [() => h.channel.verify(raw), () => h.channel.parse(raw)]) {
      let refusal: unknown;
      try {
        await call();
      } catch (e) {
        refusal = e;
      }
      expect(isAppError(refusal) && refusal.code).toBe('bad_request');
      expect((refusal as Error).message).toMatch(/POST \/webchat\/api\/messages/);
    }
  });

  it('classifies a refusal as permanent and a Redis failure as retry', () => {
    expect(h.channel.classify(new VisitorLeft())).toEqual({ kind: 'permanent', reason: VISITOR_LEFT });
    expect(h.channel.classify(new Error('connect ECONNREFUSED 127.0.0.1:6379'))).toMatchObject({
      kind: 'retry',
    });
  });
});
