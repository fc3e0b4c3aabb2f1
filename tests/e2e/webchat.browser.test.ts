import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import { createWebchatAdapter } from '../../adapters/channels/webchat/index.ts';
import { isWebchatChannel } from '../../adapters/channels/webchat/webchat.channel.ts';
import { ContactIdentity, Message } from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import type { App } from '../../src/http/app.ts';
import { deliverMessage } from '../../src/use-cases/deliver-message.ts';
import { sendReply } from '../../src/use-cases/send-reply.ts';
import { seedWorkspace } from '../support/fixtures.ts';
import { createTestApp } from '../support/test-app.ts';
import { createTestDb, testRedisPrefix } from '../support/test-db.ts';

/**
 * The webchat end to end: the real Hono app listening on a port, Debian's Chromium (headless,
 * driven by playwright-core) on the demo page, a visitor writing with an emoji and an image, an
 * agent reply made with the sendReply use-case and delivered through the webchat channel.
 */
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  throw new Error(
    `The webchat browser test needs Chromium at ${CHROMIUM}: install Debian's package (apt-get install chromium). CI installs it.`,
  );
}

const db = await createTestDb();
let app: App | undefined;
const server = serve({ fetch: (req) => (app as App).fetch(req), port: 0, hostname: '127.0.0.1' });
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const t = createTestApp({
  db,
  modules: [createWebchatAdapter({ leaveGraceMs: 0 })],
  env: { PUBLIC_URL: base, REDIS_PREFIX: testRedisPrefix() },
});
app = t.app;
const ws = await seedWorkspace(db.em());

let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => {
    if ('closeAllConnections' in server) server.closeAllConnections();
    server.close(() => resolve());
  });
});

/** A 2×2 red PNG. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

describe('webchat in a browser', () => {
  it('R4: a visitor writes with an emoji and an image, sees the agent’s reply live, and keeps the history on reload', {
    timeout: 90_000,
  }, async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage();
    // What the browser saw, printed with any failure (CI has no screen to look at).
    const trail: string[] = [];
    page.on('console', (m) => trail.push(`console.${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => trail.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => trail.push(`failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      if (r.status() >= 400) trail.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
    });
    let stage = 'open the demo page';
    const at = (next: string) => {
      stage = next;
    };
    onTestFailed(() => {
      console.error(`webchat e2e failed at "${stage}"; the browser saw:\n${trail.join('\n') || '(nothing)'}`);
    });
    // A slow session start: the history, the upload and the message must still share one session.
    await page.route('**/webchat/api/sessions', async (route) => {
      await new Promise((r) => setTimeout(r, 400));
      await route.continue();
    });
    await page.goto(`${base}/webchat/demo`);
    await expect.poll(() => page.title()).toBe('Parley webchat demo');

    // Playwright's locators reach into the widget's (open) shadow root.
    at('write a message with an emoji and an image');
    await page.getByRole('button', { name: 'Open chat' }).click();
    const dialog = page.getByRole('dialog', { name: 'Chat with us' });
    await dialog.waitFor();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.fill('My parcel arrived broken 😢');
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'parcel.png', mimeType: 'image/png', buffer: png });
    await page.getByText('Attached: parcel.png').waitFor();
    await box.press('Enter');

    // The message is in PostgreSQL with its text and its stored image.
    at('the message reaches PostgreSQL and shows in the page');
    const inbound = await vi.waitFor(
      async () => {
        const m = await db.em().findOne(Message, { kind: 'inbound', provider: 'webchat' });
        if (!m) throw new Error('no inbound message yet');
        return m;
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(inbound.text).toBe('My parcel arrived broken 😢');
    expect(inbound.attachments).toMatchObject([{ kind: 'image', name: 'parcel.png', status: 'stored' }]);
    const stored = await t.storage.get(inbound.attachments[0]?.storageKey ?? '');
    expect(Buffer.from(stored?.data ?? [])).toEqual(png);
    await expect.poll(() => imageShown(page), { timeout: 15_000 }).toBe(true);

    // The visitor is connected (their stream is open), so an agent reply reaches them live.
    at('the visitor is connected');
    const identity = await db.em().findOneOrFail(ContactIdentity, { channel: 'webchat' });
    const channel = t.channels.get('webchat');
    if (!channel || !isWebchatChannel(channel)) throw new Error('webchat channel missing');
    await vi.waitFor(
      async () =>
        expect(await channel.runtime.presence.isPresent('wid_support', identity.address)).toBe(true),
      {
        timeout: 15_000,
      },
    );
    at('the agent reply appears live');
    const reply = await sendReply(t.context(), userActor(ws.alice.id), {
      conversationId: inbound.conversation.id,
      text: 'Sorry about that! A new one is on its way 🚚',
    });
    const delivery = await deliverMessage({ em: db.em(), channels: t.channels }, reply.messageId);
    expect(delivery.outcome).toBe('sent');
    await dialog.getByText('Sorry about that! A new one is on its way 🚚').waitFor({ timeout: 15_000 });
    // The open panel saw it: the widget reports it read.
    at('the reply is marked read');
    await expect
      .poll(async () => (await db.em().findOneOrFail(Message, reply.messageId)).deliveryState, {
        timeout: 15_000,
      })
      .toBe('read');

    // A reload resumes the same session and shows the whole conversation again.
    at('a reload shows the history');
    await page.reload();
    const again = page.getByRole('dialog', { name: 'Chat with us' });
    await again.getByText('Sorry about that! A new one is on its way 🚚').waitFor({ timeout: 15_000 });
    await again.getByText('My parcel arrived broken 😢').waitFor();
    await expect.poll(() => imageShown(page), { timeout: 15_000 }).toBe(true);
    const bubbles = await page.locator('.msg').allTextContents();
    expect(bubbles).toHaveLength(2);
    expect(await db.em().count(Message, { conversation: inbound.conversation, kind: 'inbound' })).toBe(1);
  });
});

/** The visitor's image is on the page, loaded (decoded), inside the chat panel. */
async function imageShown(page: import('playwright-core').Page): Promise<boolean> {
  const img = page.locator('.msg.customer img[alt="parcel.png"]');
  if ((await img.count()) === 0) return false;
  return img.first().evaluate((el) => {
    const image = el as unknown as { complete: boolean; naturalWidth: number };
    return image.complete && image.naturalWidth === 2;
  });
}
