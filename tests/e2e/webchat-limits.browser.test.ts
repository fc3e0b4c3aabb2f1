import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWebchatAdapter } from '../../adapters/channels/webchat/index.ts';
import { Message, WebchatSession } from '../../src/db/entities/index.ts';
import type { App } from '../../src/http/app.ts';
import { launchChromium, requireChromium, servedOnPort } from '../support/browser.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { createTestApp } from '../support/test-app.ts';
import { createTestDb, testRedisPrefix } from '../support/test-db.ts';

/**
 * Issue 9, item 6, in a browser (Debian's Chromium, as webchat.browser.test.ts): what the widget does when
 * its session has ended and when it goes over a rate limit. The server listens on a port, so the
 * limits count the browser's real address.
 */
requireChromium();

const db = await createTestDb();
let app: App | undefined;
const { base, close: closeServer } = await servedOnPort((req, env) => (app as App).fetch(req, env));
app = createTestApp({
  db,
  modules: [createWebchatAdapter({ leaveGraceMs: 0 })],
  env: { PUBLIC_URL: base, REDIS_PREFIX: testRedisPrefix(), WEBCHAT_MESSAGES_PER_IP_PER_MINUTE: '5' },
}).app;
await seedWorkspace(db.em());

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await closeServer();
});

async function openChat(page: Page) {
  await page.goto(`${base}/webchat/demo`);
  await page.getByRole('button', { name: /Open chat/ }).click();
  await page.getByRole('dialog', { name: 'Chat with us' }).waitFor();
  return page.getByRole('textbox', { name: 'Message' });
}
/** Whether the message was stored, or shown as refused (failed) in the panel. */
const outcome = (page: Page, text: string) =>
  vi.waitFor(
    async () => {
      if ((await page.locator('.msg.failed', { hasText: text }).count()) > 0) return 'refused';
      if ((await db.em().count(Message, { kind: 'inbound', text })) > 0) return 'stored';
      throw new Error(`"${text}" is neither stored nor refused yet`);
    },
    { timeout: 15_000, interval: 100 },
  );
const inbound = (text: string) =>
  vi.waitFor(() => db.em().findOneOrFail(Message, { kind: 'inbound', text }), {
    timeout: 15_000,
    interval: 100,
  });

describe('the widget and the API’s limits', () => {
  it('R34: an anonymous visitor whose session ended gets a new chat, told why, and the old one is not shown', {
    timeout: 60_000,
  }, async () => {
    const sessionsBefore = await db.em().count(WebchatSession, {});
    const page = await browser.newPage();
    const box = await openChat(page);
    await box.fill('my first visit');
    await box.press('Enter');
    const first = await inbound('my first visit');

    // Two days later: the session has ended.
    await db.em().nativeUpdate(WebchatSession, {}, { lastSeenAt: new Date(Date.now() - 2 * 86_400_000) });
    await page.reload();
    await page
      .getByText('Your earlier chat has ended. Write to start a new one.')
      .waitFor({ timeout: 15_000 });
    expect(await page.locator('.msg').count()).toBe(0);
    const again = page.getByRole('textbox', { name: 'Message' });
    await again.fill('back again');
    await again.press('Enter');
    const second = await inbound('back again');
    expect(second.conversation.id).not.toBe(first.conversation.id);
    expect(await db.em().count(WebchatSession, {})).toBe(sessionsBefore + 2);
    await page.close();
  });

  it('R33: past the message limit the visitor is told to wait, in words, and the message is kept to try again', {
    timeout: 60_000,
  }, async () => {
    const page = await browser.newPage();
    const box = await openChat(page);
    let refused: string | null = null;
    for (let i = 1; i <= 10 && !refused; i++) {
      const text = `message ${i}`;
      await box.fill(text);
      await box.press('Enter');
      if ((await outcome(page, text)) === 'refused') refused = text;
    }
    expect(refused).not.toBeNull();
    await page
      .getByRole('status')
      .getByText(/^You are sending messages faster than we can take them\. Please wait \d+ seconds/)
      .waitFor({ timeout: 15_000 });
    expect(await db.em().count(Message, { kind: 'inbound', text: refused })).toBe(0);
    await page.close();
  });
});
