import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebchatAdapter } from '../../adapters/channels/webchat/index.ts';
import { WebchatUpload } from '../../src/db/entities/index.ts';
import type { App } from '../../src/http/app.ts';
import { launchChromium, requireChromium, servedOnPort } from '../support/browser.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { createTestApp } from '../support/test-app.ts';
import { createTestDb, testRedisPrefix } from '../support/test-db.ts';

/**
 * Issue 13, item 7, in a browser (Debian's Chromium, as webchat.browser.test.ts): a visitor picks a
 * file over the 25 MB limit; the widget shows the server's refusal, with the file's size and the
 * limit as people read them, and not a raw byte count or a network error.
 */
requireChromium();

const MB = 1024 * 1024;
const db = await createTestDb();
let app: App | undefined;
const { base, close: closeServer } = await servedOnPort((req, env) => (app as App).fetch(req, env));
app = createTestApp({
  db,
  modules: [createWebchatAdapter({ leaveGraceMs: 0 })],
  env: { PUBLIC_URL: base, REDIS_PREFIX: testRedisPrefix(), ATTACHMENT_MAX_BYTES: String(25 * MB) },
}).app;
await seedWorkspace(db.em());

// A 30 MB photo on disk (sparse, made at once): the browser reads it by path, as a visitor's would be.
const dir = mkdtempSync(join(tmpdir(), 'parley-upload-size-'));
const photo = join(dir, 'photo.jpg');
writeFileSync(photo, '');
truncateSync(photo, 30 * MB);

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await browser?.close();
  await closeServer();
});

describe('the widget and a file over the size limit', () => {
  it('R4: a 30 MB photo is refused in the panel with "30 MB" and "25 MB"; nothing is stored', {
    timeout: 60_000,
  }, async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/webchat/demo`);
    await page.getByRole('button', { name: /Open chat/ }).click();
    await page.getByRole('dialog', { name: 'Chat with us' }).waitFor();
    await page.locator('input[type=file]').setInputFiles(photo);
    const status = page.getByRole('status');
    await expect
      .poll(() => status.textContent(), { timeout: 30_000 })
      .toBe('"photo.jpg" is 30 MB; attachments can be at most 25 MB.');
    expect(await page.getByText('Attached: photo.jpg').count()).toBe(0);
    expect(await db.em().count(WebchatUpload, {})).toBe(0);
    await page.close();
  });

  it('a proxy’s 413 page (no Parley message) is shown as a sentence, not a status code', {
    timeout: 60_000,
  }, async () => {
    const page = await browser.newPage();
    // A proxy in front of Parley with a smaller body limit answers with its own HTML page.
    await page.route('**/webchat/api/uploads', (route) =>
      route.fulfill({
        status: 413,
        contentType: 'text/html',
        body: '<html><h1>413 Request Entity Too Large</h1></html>',
      }),
    );
    await page.goto(`${base}/webchat/demo`);
    await page.getByRole('button', { name: /Open chat/ }).click();
    await page.getByRole('dialog', { name: 'Chat with us' }).waitFor();
    await page.locator('input[type=file]').setInputFiles(photo);
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: 30_000 })
      .toBe('That file is too large to send here.');
    await page.close();
  });
});
