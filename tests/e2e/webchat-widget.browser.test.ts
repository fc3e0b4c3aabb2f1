import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  ChannelEndpoint,
  Conversation,
  CsatSurvey,
  Group,
  Message,
  User,
} from '../../src/db/entities/index.ts';
import { userActor } from '../../src/domain/actor.ts';
import { closeConversation } from '../../src/use-cases/close-conversation.ts';
import { launchChromium, requireChromium, servedOnPort } from '../support/browser.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

/**
 * Issue 15, the webchat widget as the customer sees it, in Chromium against Parley as it runs
 * (real app, real workers, Slack and the AI model faked): the group's greeting and availability,
 * a time on every message in the visitor's time zone, the marks on their own messages (sent,
 * delivered when the Slack thread has it, read when Alice has read it), the author's name, the AI
 * label, the unread badge, the language of the page or the browser, keyboard-only use and axe-core
 * finding no violation on the open panel.
 */
requireChromium();
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const db = await createTestDb();
const { base, close: closeServer } = await servedOnPort((req, env) => h.app.fetch(req, env));
const h = slackHarness(db, {
  webchat: { leaveGraceMs: 0, heartbeatMs: 2_000 },
  openai: true,
  env: { PUBLIC_URL: base, AI_BURST_WINDOW_MS: '300' },
});
let ws: Workspace;
let browser: Browser;

const HOURS_ALWAYS = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ from: '00:00', to: '24:00' }]]),
);
const setGroup = (patch: Partial<Pick<Group, 'autoResponder' | 'aiAgent' | 'csat'>>) =>
  db.em().nativeUpdate(Group, { id: ws.group.id }, patch);

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await closeServer();
});

const contexts: BrowserContext[] = [];
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

/** A visitor's own browser (time zone and language), with what it saw printed on a failure. */
async function visitor(opts: { timezoneId?: string; locale?: string } = {}): Promise<Page> {
  const context = await browser.newContext({
    timezoneId: opts.timezoneId ?? 'UTC',
    locale: opts.locale ?? 'en-US',
  });
  contexts.push(context);
  const page = await context.newPage();
  const trail: string[] = [];
  page.on('console', (m) => trail.push(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => trail.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) trail.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
  onTestFailed(() => console.error(`the browser saw:\n${trail.join('\n') || '(nothing)'}`));
  return page;
}

/** A page of a site in `lang` (none: no lang attribute) embedding the widget. */
async function siteIn(page: Page, lang: string | null) {
  const url = `${base}/site-${lang ?? 'none'}.html`;
  await page.route(url, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html${lang ? ` lang="${lang}"` : ''}><head><title>Shop</title></head><body><main><h1>Shop</h1></main><script src="/webchat/widget.js" data-widget="wid_support" async></script></body></html>`,
    }),
  );
  await page.goto(url);
}

/** The element focused inside the widget's shadow root: its class, or its tag. */
const focused = (page: Page) =>
  page.evaluate<string | null>(`(() => {
    const host = document.querySelector('[id^="parley-webchat-"]');
    const active = host && host.shadowRoot && host.shadowRoot.activeElement;
    return document.activeElement === host && active ? active.className || active.tagName.toLowerCase() : null;
  })()`);

/** axe-core on the whole page, the widget's shadow root included: every rule it runs by default. */
async function axeViolations(page: Page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate<{ id: string; targets: string[] }[]>(`(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, targets: v.nodes.map((n) => JSON.stringify(n.target)) }));
  })()`);
}

/** Alice writes in the conversation's Slack thread, as Slack sends it to Parley. */
async function aliceWritesInSlack(text: string, headerTs: string) {
  expect((await h.writesInThread('U_ALICE', text, headerTs)).res.status).toBe(200);
}

const markOf = (page: Page, text: string) =>
  page.locator('.msg.customer', { hasText: text }).locator('.mark').getAttribute('data-state');

describe('the webchat widget (issue 15)', () => {
  it('keyboard only: greeting and "open now", times in the visitor’s zone, sent → delivered → read, Alice’s name, the unread badge, Escape, and no axe violation', {
    timeout: 120_000,
  }, async () => {
    await setGroup({
      autoResponder: {
        enabled: true,
        timeZone: 'Europe/Berlin',
        hours: HOURS_ALWAYS,
        greeting: 'Welcome to Acme!',
      },
      aiAgent: null,
    });
    const page = await visitor({ timezoneId: 'America/New_York' });
    await siteIn(page, 'en');

    // Keyboard only: Tab reaches the launcher, Enter opens the panel and puts the focus in the input.
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page)).toBe('launcher');
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Chat with us' });
    await dialog.waitFor();
    await expect.poll(() => focused(page)).toBe('textarea');
    await dialog.getByText('Welcome to Acme!').waitFor();
    await dialog.getByText("We're online").waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // Typed and sent with Enter; stored ("sent"), then in the Slack thread ("delivered").
    await page.keyboard.type('Where is my order 1234?');
    await page.keyboard.press('Enter');
    const mine = page.locator('.msg.customer', { hasText: 'Where is my order 1234?' });
    await mine.waitFor();
    await expect
      .poll(() => markOf(page, 'Where is my order 1234?'), { timeout: 15_000 })
      .toMatch(/^(sent|delivered)$/);
    const inbound = await eventually(
      () => db.em().findOne(Message, { kind: 'inbound', text: 'Where is my order 1234?' }),
      15_000,
    );
    const header = await eventually(
      () =>
        h.slack.posts.find(
          (p) =>
            p.channel === 'C_SUPPORT' &&
            !p.thread_ts &&
            h.slack.threadOf('C_SUPPORT', p.ts).some((r) => r.text.includes('order 1234')),
        ),
      15_000,
    );
    await expect.poll(() => markOf(page, 'Where is my order 1234?'), { timeout: 15_000 }).toBe('delivered');
    expect(await mine.locator('.mark').getAttribute('title')).toBe('Delivered');

    // The time, in New York's time of the stored message.
    const newYork = (d: Date) =>
      new Intl.DateTimeFormat('en-US', {
        timeZone: 'America/New_York',
        hour: 'numeric',
        minute: '2-digit',
      }).format(d);
    const time = mine.locator('time');
    expect(await time.getAttribute('datetime')).toBe(inbound.createdAt.toISOString());
    expect(await time.textContent()).toBe(newYork(inbound.createdAt));

    // The automatic greeting says so.
    await dialog
      .locator('.msg.agent', { hasText: 'Welcome to Acme!' })
      .locator('.author', { hasText: 'Automatic message' })
      .waitFor({ timeout: 15_000 });

    // Alice answers in Slack: her name on the reply, and the visitor's message is read (she replied).
    await aliceWritesInSlack('It ships tomorrow.', header.ts);
    const reply = dialog.locator('.msg.agent', { hasText: 'It ships tomorrow.' });
    await reply.waitFor({ timeout: 15_000 });
    expect(await reply.locator('.author').textContent()).toBe('Alice');
    const stored = await db.em().findOneOrFail(Message, { kind: 'reply', text: 'It ships tomorrow.' });
    expect(await reply.locator('time').textContent()).toBe(newYork(stored.createdAt));
    await expect.poll(() => markOf(page, 'Where is my order 1234?'), { timeout: 15_000 }).toBe('read');
    expect(await axeViolations(page)).toEqual([]);

    // Escape closes the panel and gives the focus back to the launcher.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => focused(page)).toBe('launcher');

    // With the panel closed, a new reply counts on the launcher; opening clears it.
    await aliceWritesInSlack('Tracking number: ZX-42.', header.ts);
    const badged = page.getByRole('button', { name: 'Open chat (1 new)' });
    await badged.waitFor({ timeout: 15_000 });
    expect(await page.locator('.badge').textContent()).toBe('1');
    await page.keyboard.press('Enter'); // the focus is still on the launcher
    await dialog.getByText('Tracking number: ZX-42.').waitFor();
    await page.getByRole('button', { name: 'Open chat' }).waitFor();
    expect(await page.locator('.badge').isHidden()).toBe(true);

    // The attach and Send buttons are in the Tab order too: a message sent with the Send button.
    await expect.poll(() => focused(page)).toBe('textarea');
    await page.keyboard.press('Shift+Tab');
    await expect.poll(() => focused(page)).toBe('attach');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Thanks!');
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page)).toBe('send');
    await page.keyboard.press('Enter');
    await expect.poll(() => markOf(page, 'Thanks!'), { timeout: 15_000 }).toMatch(/^(sent|delivered|read)$/);
  });

  it('an AI answer is marked as the AI assistant, with its name', { timeout: 60_000 }, async () => {
    await setGroup({ autoResponder: null, aiAgent: { enabled: true, name: 'Acme Bot' } });
    h.openai.replyWith('Our returns window is 30 days.');
    try {
      const page = await visitor();
      await siteIn(page, 'en');
      await page.getByRole('button', { name: 'Open chat' }).click();
      await page.getByRole('textbox', { name: 'Message' }).fill('How long do I have to return?');
      await page.getByRole('button', { name: 'Send' }).click();
      const answer = page.locator('.msg.ai', { hasText: 'Our returns window is 30 days.' });
      await answer.waitFor({ timeout: 20_000 });
      expect(await answer.locator('.author').textContent()).toBe('Acme BotAI assistant');
      expect(await answer.locator('.ai-label').textContent()).toBe('AI assistant');
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await setGroup({ aiAgent: null });
    }
  });

  it('the language: the page’s <html lang>, else the browser’s; a widget’s own texts; "back at" in the visitor’s words and zone', {
    timeout: 60_000,
  }, async () => {
    // Closed today and the next two days (UTC dates), open 09:00-17:00 UTC otherwise.
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const nineToFive = Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ from: '09:00', to: '17:00' }]]),
    );
    await setGroup({
      autoResponder: {
        enabled: true,
        timeZone: 'UTC',
        hours: nineToFive,
        holidays: [day(0), day(1), day(2)],
        awayMessage: 'Back soon.',
      },
      aiAgent: null,
    });
    const opening = new Date(`${day(3)}T09:00:00Z`);

    // German from the page.
    const de = await visitor({ timezoneId: 'Europe/Berlin', locale: 'en-US' });
    await siteIn(de, 'de');
    await de.getByRole('button', { name: 'Chat öffnen' }).click();
    const dialog = de.getByRole('dialog', { name: 'Schreiben Sie uns' });
    await dialog.waitFor();
    await de.getByRole('textbox', { name: 'Nachricht' }).waitFor();
    await de.getByRole('button', { name: 'Senden' }).waitFor();
    const when = new Intl.DateTimeFormat('de', {
      timeZone: 'Europe/Berlin',
      weekday: 'long',
      hour: 'numeric',
      minute: '2-digit',
    }).format(opening);
    await dialog.getByText(`Wir sind gerade nicht da. Wieder erreichbar: ${when}`).waitFor();
    await dialog.getByText('Back soon.').waitFor();
    expect(await axeViolations(de)).toEqual([]);

    // German from the browser, when the page says nothing.
    const browserDe = await visitor({ locale: 'de-DE' });
    await siteIn(browserDe, null);
    await browserDe.getByRole('button', { name: 'Chat öffnen' }).waitFor();

    // A language Parley does not ship, given by the widget's settings: its texts, English for the rest.
    await db
      .em()
      .nativeUpdate(
        ChannelEndpoint,
        { channel: 'webchat', address: 'wid_support' },
        { settings: { strings: { fr: { openChat: 'Ouvrir le chat', title: 'Écrivez-nous' } } } },
      );
    try {
      const fr = await visitor();
      await siteIn(fr, 'fr-CA');
      await fr.getByRole('button', { name: 'Ouvrir le chat' }).click({ timeout: 15_000 });
      await fr.getByRole('dialog', { name: 'Écrivez-nous' }).waitFor();
      await fr.getByRole('button', { name: 'Send' }).waitFor();
    } finally {
      await db
        .em()
        .nativeUpdate(ChannelEndpoint, { channel: 'webchat', address: 'wid_support' }, { settings: {} });
    }
  });

  it('R42: after the close, the rating card: keyboard only, in the page’s language, no axe violation; the rating and comment are stored', {
    timeout: 60_000,
  }, async () => {
    await setGroup({ autoResponder: null, aiAgent: null, csat: 'on' });
    try {
      const page = await visitor();
      await siteIn(page, 'de');
      await page.getByRole('button', { name: 'Chat öffnen' }).click();
      await page.getByRole('textbox', { name: 'Nachricht' }).fill('Danke, alles erledigt.');
      await page.keyboard.press('Enter');
      const inbound = await eventually(
        () => db.em().findOne(Message, { kind: 'inbound', text: 'Danke, alles erledigt.' }),
        15_000,
      );
      const conv = await db.em().findOneOrFail(Conversation, inbound.conversation.id);
      await closeConversation(h.services.context(), userActor(ws.admin.id), { conversationId: conv.id });

      const card = page.getByRole('group', { name: 'Bewerten Sie dieses Gespräch' });
      await card.waitFor({ timeout: 20_000 });
      expect(await axeViolations(page)).toEqual([]);
      // Keyboard only: Space picks the fourth rating, Tab goes on to the comment, then to Send.
      await card.getByRole('button', { name: '4 von 5' }).focus();
      await page.keyboard.press('Space');
      expect(await card.getByRole('button', { name: '4 von 5' }).getAttribute('aria-pressed')).toBe('true');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      await expect.poll(() => focused(page)).toBe('csat-comment');
      await page.keyboard.type('Schnelle Hilfe');
      await page.keyboard.press('Tab');
      await expect.poll(() => focused(page)).toBe('csat-send');
      await page.keyboard.press('Enter');
      await page.getByText('Vielen Dank für Ihre Bewertung.').waitFor({ timeout: 15_000 });
      const survey = await eventually(async () => {
        const s = await db.em().findOne(CsatSurvey, { conversation: conv.id });
        return s?.state === 'answered' ? s : null;
      }, 15_000);
      expect([survey.rating, survey.comment]).toEqual([4, 'Schnelle Hilfe']);
    } finally {
      await setGroup({ csat: 'off' });
    }
  });
});
