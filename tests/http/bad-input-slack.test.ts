import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { Message } from '../../src/db/entities/index.ts';
import { randomPhone } from '../adapters/sms/harness.ts';
import { inbound } from '../adapters/whatsapp/payloads.ts';
import { ODD_CHARACTERS } from '../support/bad-input-corpus.ts';
import {
  SLACK_SIGNING_SECRET,
  type SlackPost,
  slackCommand,
  slackEvent,
  slackHeaders,
  slackInteraction,
} from '../support/fake-slack.ts';
import { settled } from '../support/settled.ts';
import { eventually } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';
import { BODY_LIMIT, badInputHarness } from './bad-input-harness.ts';

/**
 * Issue 5, bad input: `POST /slack/events` (events, slash commands, interactivity) against
 * missing, forged, stale, future and replayed signatures, malformed bodies, wrong content types,
 * oversized bodies and odd characters in every field. Refusals are 4xx and write nothing.
 */
const db = await createTestDb();
const h = badInputHarness(db);
const post = (init: { body: string; headers: Record<string, string> }) =>
  h.request('/slack/events', { method: 'POST', ...init });
const JSON_TYPE = 'application/json';
const FORM = 'application/x-www-form-urlencoded';
const signed = (body: string, type = JSON_TYPE, at?: number) => ({
  body,
  headers: slackHeaders(body, type, { at }),
});
const kept = (s: string) => s.replaceAll('\u0000', '').toWellFormed();

let header: SlackPost;
let waId: string;
beforeAll(async () => {
  // A conversation with its thread in #support, for replies, commands and buttons to act on.
  waId = randomPhone().slice(1);
  expect(
    (await h.whatsapp(JSON.stringify(inbound({ waId, name: 'Dana' }, 'text', { body: 'Hello' })))).status,
  ).toBe(200);
  header = await eventually(() => h.slack.posts.find((p) => p.metadata?.event_type === 'parley_thread'));
  // Parley records the thread once Slack has answered the post: until then a reply in it is not
  // known to belong to the conversation (the first test would race the mirror job).
  await settled(h.services);
});
/** Alice writes in the conversation's thread, as Slack would send it. */
const reply = (text: string) => {
  const typed = h.slack.personWrites('C_SUPPORT', 'U_ALICE', text, header.ts);
  return slackEvent({
    type: 'message',
    channel: 'C_SUPPORT',
    channel_type: 'channel',
    user: 'U_ALICE',
    text,
    ts: typed.ts,
    thread_ts: header.ts,
  });
};

/**
 * An event about a message nobody wrote in Slack, as a forger would send it. (A refused event about
 * a message that is in the thread would be picked up, rightly, by the sweep 30 s later: a test
 * file running slowly under load then saw it appear.)
 */
let forgedSeq = 0;
const forged = (text: string) =>
  slackEvent({
    type: 'message',
    channel: 'C_SUPPORT',
    channel_type: 'channel',
    user: 'U_ALICE',
    text,
    ts: `${Math.floor(Date.now() / 1000)}.9${String(++forgedSeq).padStart(5, '0')}`,
    thread_ts: header.ts,
  });

describe('signatures and timestamps', () => {
  const body = () => forged('Your parcel ships today').body;
  const sig = (b: string, ts: number, secret = SLACK_SIGNING_SECRET, version = 'v0') =>
    `${version}=${createHmac('sha256', secret).update(`${version}:${ts}:${b}`).digest('hex')}`;
  const now = () => Math.floor(Date.now() / 1000);
  const headers = (sigValue: string | null, ts: string | null) => ({
    'content-type': JSON_TYPE,
    ...(sigValue !== null ? { 'x-slack-signature': sigValue } : {}),
    ...(ts !== null ? { 'x-slack-request-timestamp': ts } : {}),
  });
  it.each([
    ['no signature', () => headers(null, String(now()))],
    ['no timestamp', (b: string) => headers(sig(b, now()), null)],
    ['neither', () => headers(null, null)],
    [
      'a signature made with another secret',
      (b: string) => headers(sig(b, now(), 'another-secret'), String(now())),
    ],
    ['a v1 signature', (b: string) => headers(sig(b, now(), SLACK_SIGNING_SECRET, 'v1'), String(now()))],
    [
      'the signature of another body, replayed onto this one',
      () => headers(sig(body(), now()), String(now())),
    ],
    ['a stale timestamp (6 minutes old)', (b: string) => headers(sig(b, now() - 360), String(now() - 360))],
    [
      'a future timestamp (6 minutes ahead)',
      (b: string) => headers(sig(b, now() + 360), String(now() + 360)),
    ],
    ['a timestamp that is not a number', (b: string) => headers(sig(b, now()), `${now()}abc`)],
    ['a negative timestamp', (b: string) => headers(sig(b, -5), '-5')],
  ])('%s is refused with 401 and writes nothing', async (_, make) => {
    const b = body();
    const before = await h.rows();
    await h.expectRefused(await post({ body: b, headers: make(b) }), before, 401);
  });

  it('R29: the same signed event delivered again (a replay, or Slack retrying) is handled once', async () => {
    const request = reply('Delivered once');
    const before = await h.rows();
    for (let i = 0; i < 3; i++) expect((await post(request)).status).toBe(200);
    // Answered after the reply is committed: the rows are final when the answer comes.
    expect((await h.rows()).message).toBe(before.message + 1);
    expect(await db.em().count(Message, { text: 'Delivered once' })).toBe(1);
    // Sent once, and nothing (a sweep of the thread, a retry) makes a second copy later.
    await eventually(() => h.graph.sent.some((s) => s.body.text?.body === 'Delivered once'));
    await settled(h.services);
    expect(await db.em().count(Message, { text: 'Delivered once' })).toBe(1);
    expect(h.graph.sent.filter((s) => s.body.text?.body === 'Delivered once')).toHaveLength(1);
  });
});

describe('replayed commands and button clicks', () => {
  const notes = () => db.em().count(Message, { kind: 'note' });
  it('R30: a slash command replayed with its signature within the window is carried out once', async () => {
    const command = slackCommand('U_ALICE', 'note #1001 Called the courier');
    const before = await notes();
    expect(await (await post(command)).json()).toMatchObject({ text: 'Note added to #1001.' });
    for (let i = 0; i < 2; i++) expect(await (await post(command)).text()).toBe('');
    expect(await notes()).toBe(before + 1);
  });

  it('R30: a modal submission replayed with its signature is carried out once', async () => {
    const conversationId = String(header.metadata?.event_payload.conversation_id);
    const submission = slackInteraction({
      type: 'view_submission',
      user: { id: 'U_ALICE' },
      view: {
        callback_id: 'parley_note',
        private_metadata: conversationId,
        state: { values: { note: { text: { type: 'plain_text_input', value: 'Refund approved' } } } },
      },
    });
    const before = await notes();
    for (let i = 0; i < 3; i++) expect((await post(submission)).status).toBe(200);
    expect(await notes()).toBe(before + 1);
  });
});

describe('malformed bodies, content types and sizes', () => {
  // Refused before anything reads it, so what the event says does not matter.
  const event = (text: string) =>
    slackEvent({ type: 'message', channel: 'C_SUPPORT', user: 'U_ALICE', text, ts: '1700000000.000001' })
      .body;
  it.each([
    ['a JSON body that does not parse', 400, signed('{"type":"event_callback",')],
    ['a JSON array', 400, signed('[]')],
    ['a JSON string', 400, signed('"x"')],
    ['an interactivity payload that is not JSON', 400, signed('payload=%7Bnot-json', FORM)],
    [
      'an interactivity payload that is a JSON array',
      400,
      signed(`payload=${encodeURIComponent('[1]')}`, FORM),
    ],
    ['a text/plain body', 415, signed(event('plain'), 'text/plain')],
    ['a multipart body', 415, signed(event('multi'), 'multipart/form-data; boundary=x')],
    ['no Content-Type', 415, signed(event('none'), '')],
    ['a body over BODY_LIMIT_BYTES', 413, signed(event('x'.repeat(BODY_LIMIT)))],
  ])('%s, signed, is refused with %i and writes nothing', async (_, status, init) => {
    const before = await h.rows();
    await h.expectRefused(await post(init), before, status);
  });

  it('the URL verification challenge is echoed as JSON data, whatever it holds', async () => {
    const challenge = `<script>${Object.values(ODD_CHARACTERS).join('')}`;
    const res = await post(signed(JSON.stringify({ type: 'url_verification', challenge })));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(((await res.json()) as { challenge: string }).challenge).toBe(kept(challenge));
  });
});

describe('odd characters in every field', () => {
  it.each(Object.entries(ODD_CHARACTERS))(
    'R29: %s in a thread reply reaches the customer as PostgreSQL can keep it',
    async (_, odd) => {
      const text = `Reply ${odd}`;
      expect((await post(reply(text))).status).toBe(200);
      const sent = await eventually(() => h.graph.sent.find((s) => s.body.text?.body === kept(text).trim()));
      expect(sent.body.to).toBe(waId);
    },
  );

  it.each(Object.entries(ODD_CHARACTERS))(
    'R30: %s in ids, commands and buttons never causes a 5xx',
    async (_, odd) => {
      const event = (e: Record<string, unknown>) =>
        post(slackEvent({ type: 'message', channel_type: 'channel', ...e }));
      const requests = [
        event({ channel: `C${odd}`, user: 'U_ALICE', text: odd, ts: `1.${odd}`, thread_ts: header.ts }),
        event({
          channel: 'C_SUPPORT',
          user: `U${odd}`,
          text: odd,
          ts: `2.${odd}`,
          thread_ts: `${header.ts}${odd}`,
        }),
        event({
          channel: 'D_ALICE',
          channel_type: 'im',
          user: 'U_ALICE',
          text: `search ${odd}`,
          ts: `3.${odd}`,
        }),
        post(slackEvent({ type: 'app_home_opened', user: `U${odd}`, tab: 'home' })),
        post(slackCommand('U_ALICE', `search ${odd}`)),
        post(slackCommand('U_ALICE', `note #${odd} ${odd}`)),
        post(slackCommand(`U${odd}`, odd, `C${odd}`)),
        post(
          slackInteraction({
            type: 'block_actions',
            user: { id: 'U_ALICE' },
            trigger_id: `t${odd}`,
            channel: { id: 'C_SUPPORT' },
            message: { ts: header.ts },
            actions: [{ action_id: 'conv_note', value: odd }],
          }),
        ),
        post(
          slackInteraction({
            type: 'block_actions',
            user: { id: `U${odd}` },
            trigger_id: 't',
            actions: [{ action_id: `x${odd}`, value: odd }],
          }),
        ),
        post(
          slackInteraction({
            type: 'view_submission',
            user: { id: 'U_ALICE' },
            view: {
              callback_id: 'parley_note',
              private_metadata: odd,
              state: { values: { note: { text: { value: odd } } } },
            },
          }),
        ),
      ];
      for (const res of await Promise.all(requests))
        expect(res.status, await res.clone().text()).toBeLessThan(500);
    },
  );
});

it('the app still answers /healthz and /readyz after the corpus, and logged no failed request', async () => {
  await h.expectStillServing();
});
