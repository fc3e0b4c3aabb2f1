import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed, vi } from 'vitest';
import { isWebchatChannel } from '../../adapters/channels/webchat/webchat.channel.ts';
import { ContactIdentity, Message, User } from '../../src/db/entities/index.ts';
import { launchChromium, requireChromium, servedOnPort } from '../support/browser.ts';
import { BOT } from '../support/fake-slack.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * The webchat end to end: Parley as it runs (the real app on a port, the real workers) with Slack
 * on against the fake, Debian's Chromium (headless, driven by playwright-core) on the demo page.
 * A visitor writes with an emoji and an image; the conversation appears in Slack; Alice answers in
 * its thread there, and the visitor's open page shows her answer, once.
 */
requireChromium();

const db = await createTestDb();
const { base, close: closeServer } = await servedOnPort((req, env) => h.app.fetch(req, env));
const h = slackHarness(db, { webchat: { leaveGraceMs: 0 }, env: { PUBLIC_URL: base } });
let ws: Workspace;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
});

let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await closeServer();
});

/** A 2×2 red PNG. */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==',
  'base64',
);

describe('webchat in a browser', () => {
  it('R4, R29: a visitor writes with an emoji and an image, sees the reply Alice writes in the Slack thread live and once, and keeps the history on reload', {
    timeout: 90_000,
  }, async () => {
    browser = await launchChromium(['--disable-quic', '--disable-component-update', '--disable-sync']);
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
    const stored = await h.services.storage.get(inbound.attachments[0]?.storageKey ?? '');
    expect(Buffer.from(stored?.data ?? [])).toEqual(png);
    await expect.poll(() => imageShown(page), { timeout: 15_000 }).toBe(true);

    // The conversation is a thread in the group's Slack channel, the visitor's message in it.
    at('the conversation appears in Slack');
    const header = await eventually(
      () =>
        h.slack.posts.find(
          (p) =>
            p.channel === 'C_SUPPORT' &&
            !p.thread_ts &&
            h.slack.threadOf('C_SUPPORT', p.ts).some((r) => r.text.includes('My parcel arrived broken 😢')),
        ),
      15_000,
    );
    // Its image too (uploaded to Slack as a file): Alice has seen everything when she answers.
    await eventually(
      () =>
        h.slack.threadOf('C_SUPPORT', header.ts).some((p) => p.files?.some((f) => f.name === 'parcel.png')),
      15_000,
    );

    // The visitor is connected (their stream is open), so a reply reaches them live.
    at('the visitor is connected');
    const identity = await db.em().findOneOrFail(ContactIdentity, { channel: 'webchat' });
    const channel = h.services.channels.get('webchat');
    if (!channel || !isWebchatChannel(channel)) throw new Error('webchat channel missing');
    await vi.waitFor(
      async () =>
        expect(await channel.runtime.presence.isPresent('wid_support', identity.address)).toBe(true),
      { timeout: 15_000 },
    );

    // Alice answers in the thread in Slack; Slack sends Parley the event.
    at('the agent replies in Slack and the reply appears live');
    const REPLY = 'Sorry about that! A new one is on its way 🚚';
    const typed = h.slack.personWrites('C_SUPPORT', 'U_ALICE', REPLY, header.ts);
    const ev = await h.event({
      type: 'message',
      channel: 'C_SUPPORT',
      channel_type: 'channel',
      user: 'U_ALICE',
      text: typed.text,
      ts: typed.ts,
      thread_ts: header.ts,
    });
    expect(ev.status).toBe(200);
    await dialog.getByText(REPLY).waitFor({ timeout: 15_000 });

    // The open panel saw it: the widget reports it read, and Alice's message in Slack says so.
    at('the reply is marked read');
    const reply = await db.em().findOneOrFail(Message, { kind: 'reply' });
    expect([reply.text, reply.author?.id]).toEqual([REPLY, ws.alice.id]);
    await expect
      .poll(async () => (await db.em().findOneOrFail(Message, reply.id)).deliveryState, { timeout: 15_000 })
      .toBe('read');
    await eventually(() => typed.reactions.includes('eyes'), 15_000);
    await settled(h.services);
    expect(typed.reactions).toEqual(['eyes']);
    // Once on the page, once in the thread (the app never posted it again), one reply stored.
    expect(await page.locator('.msg', { hasText: REPLY }).count()).toBe(1);
    expect(
      h.slack
        .threadOf('C_SUPPORT', header.ts)
        .map((p) => [p.bot_id === BOT.botId ? 'app' : p.user, p.text, (p.files ?? []).map((f) => f.name)]),
    ).toEqual([
      ['app', expect.stringContaining('My parcel arrived broken 😢'), []],
      ['app', expect.stringContaining(':paperclip:'), ['parcel.png']],
      ['U_ALICE', REPLY, []],
    ]);
    expect(await db.em().count(Message, { kind: 'reply' })).toBe(1);

    // A reload resumes the same session and shows the whole conversation again, each message once.
    at('a reload shows the history');
    await page.reload();
    const again = page.getByRole('dialog', { name: 'Chat with us' });
    await again.getByText(REPLY).waitFor({ timeout: 15_000 });
    await again.getByText('My parcel arrived broken 😢').waitFor();
    await expect.poll(() => imageShown(page), { timeout: 15_000 }).toBe(true);
    const bubbles = await page.locator('.msg').allTextContents();
    expect(bubbles).toHaveLength(2);
    expect(bubbles.filter((b) => b.includes(REPLY))).toHaveLength(1);
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
