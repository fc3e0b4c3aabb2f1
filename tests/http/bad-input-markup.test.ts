import { sign } from 'hono/jwt';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChannelEndpoint, Group, User } from '../../src/db/entities/index.ts';
import { incomingSms, randomPhone } from '../adapters/sms/harness.ts';
import { contents, inbound, webhook } from '../adapters/whatsapp/payloads.ts';
import {
  ALL_MARKUP,
  activeMarkupIn,
  CHAT_MARKUP,
  EVERYTHING,
  unsafeSlackOptions,
} from '../support/bad-input-corpus.ts';
import { slackCommand, slackEvent, slackInteraction } from '../support/fake-slack.ts';
import { settled } from '../support/settled.ts';
import { eventually } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';
import { badInputHarness, WIDGET, WIDGET_SECRET } from './bad-input-harness.ts';

/**
 * Issue 5, bad input: chat markup (`<!channel>`, `<@U1>`, `<https://x|y>`, Markdown links,
 * `@channel`) and odd characters in every field a customer controls, on every channel, as far as
 * Slack: thread headers and posts, author names, files, command answers, App Home and modals.
 * Slack must show it as text: never a ping, a mention, a channel link or a disguised link.
 */
const db = await createTestDb();
const h = badInputHarness(db);
const json = (v: unknown) => JSON.stringify(v);
/** How Slack shows each markup case once escaped: visible, and inert. */
const ESCAPED = Object.values(CHAT_MARKUP).map((m) =>
  m.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;'),
);
const tags = [
  '[wa-text]',
  '[wa-image]',
  '[wa-doc]',
  '[wa-place]',
  '[wa-card]',
  '[wa-choice]',
  '[sms]',
  '[webchat]',
];
const visible = () => h.slack.posts.map(h.slack.visible).join('\n');

/**
 * Each input gets a group of its own with its own Slack channel: Slack takes about one post a
 * second per channel, so spreading the threads keeps this file fast.
 */
async function groupWithChannel(name: string, channel: string) {
  const em = db.em();
  const group = em.create(Group, { account: h.ws.account.id, name, slackChannelId: channel });
  await em.flush();
  const alice = await em.findOneOrFail(User, h.ws.alice.id);
  alice.groupIds = [...alice.groupIds, group.id];
  await em.flush();
  return group;
}

beforeAll(async () => {
  // WhatsApp: the profile name, text, captions, a file name, a place, a shared contact, a choice.
  for (const id of ['MEDIA_IMAGE', 'MEDIA_DOC'])
    h.graph.addMedia(id, new Uint8Array([1, 2, 3]), 'application/pdf');
  const sender = { waId: randomPhone().slice(1), name: `Dana ${ALL_MARKUP}` };
  const messages: [string, unknown][] = [
    ['text', { body: `[wa-text] ${EVERYTHING}` }],
    ['image', { ...contents.image, id: 'MEDIA_IMAGE', caption: `[wa-image] ${ALL_MARKUP}` }],
    [
      'document',
      {
        ...contents.document,
        id: 'MEDIA_DOC',
        filename: `${ALL_MARKUP}.pdf`,
        caption: `[wa-doc] ${ALL_MARKUP}`,
      },
    ],
    ['location', { ...contents.location, name: `[wa-place] ${ALL_MARKUP}`, address: ALL_MARKUP }],
    ['contacts', [{ name: { formatted_name: `[wa-card] ${ALL_MARKUP}` }, phones: [{ phone: ALL_MARKUP }] }]],
    [
      'interactive',
      { type: 'button_reply', button_reply: { id: ALL_MARKUP, title: `[wa-choice] ${ALL_MARKUP}` } },
    ],
  ];
  const values = [];
  for (const [i, [type, content]] of messages.entries()) {
    const group = await groupWithChannel(`WhatsApp ${type}`, `C_MARKUP_${i}`);
    const phoneNumberId = `PNID_MARKUP_${i}`;
    const em = db.em();
    em.create(ChannelEndpoint, {
      account: h.ws.account.id,
      group: group.id,
      channel: 'whatsapp',
      address: phoneNumberId,
      name: type,
    });
    await em.flush();
    values.push(inbound(sender, type, content, { phoneNumberId }).entry[0]!.changes[0]!.value);
  }
  values.push(
    inbound(sender, 'reaction', { message_id: 'wamid.x', emoji: ALL_MARKUP }).entry[0]!.changes[0]!.value,
  );
  expect((await h.whatsapp(json(webhook(...values)))).status).toBe(200);
  for (const [endpoint, channel] of [
    [h.ws.sms.id, 'C_MARKUP_SMS'],
    [h.ws.webchat.id, 'C_MARKUP_WEB'],
  ] as const) {
    const group = await groupWithChannel(channel, channel);
    await db.em().nativeUpdate(ChannelEndpoint, { id: endpoint }, { group: group.id });
  }

  // SMS: the text.
  expect(
    (await h.twilioForm('/webhooks/twilio/sms', incomingSms(randomPhone(), `[sms] ${EVERYTHING}`))).status,
  ).toBe(200);

  // Webchat: the visitor's name (signed by the site), a file name and the text.
  const userToken = await sign(
    { sub: 'visitor-1', name: `Web ${ALL_MARKUP}`, exp: Math.floor(Date.now() / 1000) + 600 },
    WIDGET_SECRET,
    'HS256',
  );
  const session = await h.webchat('POST', '/webchat/api/sessions', null, json({ widget: WIDGET, userToken }));
  const { token } = (await session.json()) as { token: string };
  const form = new FormData();
  form.set('file', new File(['hello'], `${ALL_MARKUP}.txt`, { type: 'text/plain' }));
  const up = await h.request('/webchat/api/uploads', {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  const { id } = (await up.json()) as { id: string };
  const body = json({ text: `[webchat] ${EVERYTHING}`, attachmentIds: [id], clientMessageId: 'm1' });
  expect((await h.webchat('POST', '/webchat/api/messages', token, body)).status).toBe(201);

  // Everything is in its thread, and the webchat file (stored before its message) uploaded there.
  const webchatFile = () => h.slack.posts.some((p) => p.files?.some((f) => f.name.endsWith('.txt')));
  await eventually(() => tags.every((t) => visible().includes(t)) && webchatFile(), 15_000);
  // And Parley is done with them (header redraws, App Home): what the tests find not shown stays so.
  await settled(h.services);
}, 45_000);

describe('customer markup reaches Slack as text only', () => {
  it('R28: headers, posts and author names show the markup escaped: no ping, mention or link', () => {
    expect(activeMarkupIn([h.slack.posts, h.slack.ephemerals])).toEqual([]);
    const shown = visible();
    for (const escaped of ESCAPED) expect(shown).toContain(escaped);
    expect(h.slack.posts.some((p) => p.username?.includes('Dana &lt;!channel&gt;'))).toBe(true);
    expect(h.slack.posts.some((p) => p.username?.includes('Web &lt;!channel&gt;'))).toBe(true);
  });

  it('R28: no call asks Slack to link names or unfurl, and every mrkdwn text is verbatim', () => {
    expect(h.slack.calls.flatMap(unsafeSlackOptions)).toEqual([]);
  });

  it('R28: file names reach Slack without markup characters', () => {
    const names = h.slack.posts.flatMap((p) => p.files ?? []).map((f) => f.name);
    expect(names).toContain('_!channel_ _!here_ _@U1_ _#C1_ _https:__x|y_ [x](https:__evil) @channel.txt');
    for (const name of names) expect(name).not.toMatch(/[<>&]/);
  });

  it('R30: command answers show contact names and previews escaped', async () => {
    for (const text of ['inbox team', 'search Dana', 'search channel']) {
      const res = await h.request('/slack/events', slackCommand('U_ALICE', text));
      const answer = await res.json();
      expect(activeMarkupIn(answer)).toEqual([]);
      expect(JSON.stringify(answer)).toContain('&lt;!channel&gt;');
    }
  });

  it('R32: App Home shows contact names and previews escaped', async () => {
    await h.request('/slack/events', slackEvent({ type: 'app_home_opened', user: 'U_ALICE', tab: 'home' }));
    await eventually(() => h.slack.homes.get('U_ALICE'));
    await settled(h.services);
    const home = h.slack.homes.get('U_ALICE');
    expect(activeMarkupIn(home)).toEqual([]);
    expect(JSON.stringify(home)).toContain('&lt;!channel&gt;');
  });

  it('R30: a modal names the conversation with its contact escaped', async () => {
    const header = h.slack.posts.find(
      (p) => p.metadata?.event_type === 'parley_thread' && p.text.includes('Dana'),
    )!;
    const conversationId = String(header.metadata!.event_payload.conversation_id);
    const click = slackInteraction({
      type: 'block_actions',
      user: { id: 'U_ALICE' },
      trigger_id: 'trigger-markup',
      channel: { id: 'C_SUPPORT' },
      message: { ts: header.ts },
      actions: [{ type: 'button', action_id: 'conv_assign', value: conversationId }],
    });
    expect((await h.request('/slack/events', click)).status).toBe(200);
    const modal = await eventually(() => h.slack.modals.find((m) => m.trigger_id === 'trigger-markup'));
    expect(activeMarkupIn(modal.view)).toEqual([]);
    expect(JSON.stringify(modal.view)).toContain('Dana &lt;!channel&gt;');
    expect(unsafeSlackOptions({ method: 'views.open', args: { view: modal.view } })).toEqual([]);
  });
});

it('the app still answers /healthz and /readyz after the corpus, and logged no failed request', async () => {
  await h.expectStillServing();
});
