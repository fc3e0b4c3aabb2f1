import { describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, BOT_TOKEN, fakeSlack, SLACK_API_URL } from './fake-slack.ts';
import { GRAPH_TOKEN, GRAPH_URL, graphFake } from './fakes/graph.ts';
import { ACCOUNT_SID, AUTH_TOKEN, TWILIO_URL, twilioFake } from './fakes/twilio.ts';
import { useMsw } from './msw.ts';
import { manifestBotScopes } from './slack-rules.ts';

/**
 * The fakes refuse what the vendors refuse, with the vendors' error bodies: a test passing against
 * them would pass against Slack, Meta and Twilio. Each refusal here is declared (expectRefusal),
 * as a test of Parley that provokes one must.
 */
const slack = fakeSlack();
const narrow = fakeSlack({ botScopes: manifestBotScopes().filter((s) => s !== 'channels:history') });
const graph = graphFake(GRAPH_URL, GRAPH_TOKEN, { phoneNumberIds: ['PNID_SUPPORT'] });
const twilio = twilioFake(TWILIO_URL, ACCOUNT_SID, AUTH_TOKEN, { numbers: ['+15550001111'] });
const server = useMsw(...slack.handlers, ...graph.handlers, ...twilio.handlers);

const callSlack = async (method: string, args: Record<string, unknown>, token = BOT_TOKEN) =>
  (await fetch(`${SLACK_API_URL}${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(args),
  }).then((r) => r.json())) as Record<string, unknown>;
const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('the Slack fake refuses what Slack refuses', () => {
  it('blocks over Block Kit’s limits: invalid_blocks, with Slack’s json-pointer messages', async () => {
    slack.expectRefusal('invalid_blocks');
    const cases: [unknown[], string][] = [
      [[section('x'.repeat(3001))], 'must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
      [
        Array.from({ length: 51 }, () => ({ type: 'divider' })),
        'no more than 50 items allowed [json-pointer:/blocks]',
      ],
      [
        [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }],
        'must be less than 151 characters [json-pointer:/blocks/0/text/text]',
      ],
      [
        [{ type: 'context', elements: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'c' })) }],
        'no more than 10 items allowed [json-pointer:/blocks/0/elements]',
      ],
      [[section('')], 'must be more than 0 characters [json-pointer:/blocks/0/text/text]'],
    ];
    for (const [blocks, message] of cases) {
      const answer = await callSlack('chat.postMessage', { channel: 'C_SUPPORT', text: 'x', blocks });
      expect(answer).toEqual({
        ok: false,
        error: 'invalid_blocks',
        errors: [message],
        response_metadata: { messages: [`[ERROR] ${message}`] },
      });
    }
    expect(slack.posts).toHaveLength(0);
  });

  it('a Home tab takes 100 blocks, not 101; views answer invalid_arguments', async () => {
    const view = (n: number) => ({
      type: 'home',
      blocks: Array.from({ length: n }, () => ({ type: 'divider' })),
    });
    expect(await callSlack('views.publish', { user_id: 'U1', view: view(100) })).toMatchObject({ ok: true });
    slack.expectRefusal('invalid_arguments');
    expect(await callSlack('views.publish', { user_id: 'U1', view: view(101) })).toEqual({
      ok: false,
      error: 'invalid_arguments',
      response_metadata: { messages: ['[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]'] },
    });
  });

  it('text over 40,000 characters, no text at all, no channel', async () => {
    slack.expectRefusal(/^(msg_too_long|no_text|channel_not_found)$/);
    expect(await callSlack('chat.postMessage', { channel: 'C_SUPPORT', text: 'y'.repeat(40_001) })).toEqual({
      ok: false,
      error: 'msg_too_long',
    });
    expect(await callSlack('chat.postMessage', { channel: 'C_SUPPORT' })).toEqual({
      ok: false,
      error: 'no_text',
    });
    expect(await callSlack('chat.postMessage', { text: 'hi' })).toEqual({
      ok: false,
      error: 'channel_not_found',
    });
  });

  it('a scope the token lacks: missing_scope, naming the scope needed and those provided', async () => {
    narrow.expectRefusal('missing_scope');
    // Both fakes answer the same URL: for this test the narrow one's handlers go first.
    server.use(...narrow.handlers);
    const refused = await callSlack('conversations.replies', { channel: 'C_SUPPORT', ts: '1.000001' });
    expect(refused).toEqual({
      ok: false,
      error: 'missing_scope',
      needed: 'channels:history',
      provided: manifestBotScopes()
        .filter((s) => s !== 'channels:history')
        .join(','),
    });
  });

  it('message metadata is read back with the history scopes alone (no metadata.message:read)', async () => {
    expect(manifestBotScopes()).not.toContain('metadata.message:read');
    const posted = await callSlack('chat.postMessage', {
      channel: 'C_SUPPORT',
      text: 'tagged',
      metadata: { event_type: 'parley_message', event_payload: { message_ids: ['m1'] } },
    });
    const replies = await callSlack('conversations.replies', {
      channel: 'C_SUPPORT',
      ts: posted.ts,
      include_all_metadata: true,
    });
    expect(replies.messages).toEqual([
      expect.objectContaining({
        metadata: { event_type: 'parley_message', event_payload: { message_ids: ['m1'] } },
      }),
    ]);
  });

  it('a channel the app was not invited to: not_in_channel (a state, not a fault of the request)', async () => {
    slack.notInvitedTo('C_PRIVATE');
    expect(await callSlack('chat.postMessage', { channel: 'C_PRIVATE', text: 'hi' })).toEqual({
      ok: false,
      error: 'not_in_channel',
    });
    slack.invite('C_PRIVATE');
    expect(await callSlack('chat.postMessage', { channel: 'C_PRIVATE', text: 'hi' })).toMatchObject({
      ok: true,
    });
  });

  it('rate limits: HTTP 429 with Retry-After and Slack’s body', async () => {
    slack.failNext('chat.postMessage', { kind: '429', retryAfter: 7 });
    const res = await fetch(`${SLACK_API_URL}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'C_SUPPORT', text: 'hi' }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toEqual({ ok: false, error: 'ratelimited' });
  });

  it('an app updates only its own messages; a user token is not a bot token', async () => {
    const person = slack.personWrites('C_SUPPORT', 'U_ALICE', 'mine');
    expect(await callSlack('chat.update', { channel: 'C_SUPPORT', ts: person.ts, text: 'x' })).toEqual({
      ok: false,
      error: 'cant_update_message',
    });
    // The admin's user token has chat:write and files:write only.
    slack.expectRefusal('missing_scope');
    expect(
      await callSlack(
        'reactions.add',
        { channel: 'C_SUPPORT', timestamp: person.ts, name: 'eyes' },
        ADMIN_TOKEN,
      ),
    ).toMatchObject({
      ok: false,
      error: 'missing_scope',
      needed: 'reactions:write',
      provided: 'chat:write,files:write',
    });
  });
});

describe('the Graph fake refuses what Meta refuses', () => {
  const send = (phoneNumberId: string, body: unknown, token = GRAPH_TOKEN) =>
    fetch(`${GRAPH_URL}/${phoneNumberId}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const text = { messaging_product: 'whatsapp', to: '15550002222', type: 'text', text: { body: 'hi' } };

  it('a bad token (190, HTTP 401), an unknown phone number id (100/33), an invalid parameter (100)', async () => {
    graph.expectRefusal(/^(190|100)$/);
    const bad = await send('PNID_SUPPORT', text, 'EAAGwrong');
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({
      error: {
        message: 'Invalid OAuth access token - Cannot parse access token',
        type: 'OAuthException',
        code: 190,
        error_data: expect.objectContaining({ messaging_product: 'whatsapp' }),
        fbtrace_id: expect.any(String),
      },
    });
    const unknown = await send('PNID_ELSEWHERE', text);
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      error: {
        message: expect.stringMatching(
          /^Unsupported post request\. Object with ID 'PNID_ELSEWHERE' does not exist/,
        ),
        type: 'GraphMethodException',
        code: 100,
        error_subcode: 33,
        fbtrace_id: expect.any(String),
      },
    });
    const long = await send('PNID_SUPPORT', { ...text, text: { body: 'z'.repeat(4097) } });
    expect(await long.json()).toMatchObject({
      error: {
        message: '(#100) Invalid parameter',
        code: 100,
        error_data: { details: "Param text['body'] must be at most 4096 characters long." },
      },
    });
    expect(graph.sent).toHaveLength(0);
  });

  it('throughput limits with Meta’s codes (130429, 80007)', async () => {
    graph.throttleNextSend(130429, '30');
    graph.throttleNextSend(80007);
    const first = await send('PNID_SUPPORT', text);
    expect(first.headers.get('retry-after')).toBe('30');
    expect(await first.json()).toMatchObject({
      error: { code: 130429, message: '(#130429) Rate limit hit' },
    });
    expect(await (await send('PNID_SUPPORT', text)).json()).toMatchObject({ error: { code: 80007 } });
    expect((await send('PNID_SUPPORT', text)).status).toBe(200);
  });
});

describe('the Twilio fake refuses what Twilio refuses', () => {
  const send = (form: Record<string, string>, auth = AUTH_TOKEN) =>
    fetch(`${TWILIO_URL}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${auth}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form).toString(),
    });

  it('bad credentials (20003), an invalid To (21211), no body nor media (21602), a number not the account’s (21606)', async () => {
    twilio.expectRefusal(/^(20003|21211|21602|21606)$/);
    const cases: [Response, number, number, RegExp][] = [
      [
        await send({ To: '+15550002222', From: '+15550001111', Body: 'hi' }, 'wrong'),
        401,
        20003,
        /^Authenticate$/,
      ],
      [
        await send({ To: '555-CALL-ME', From: '+15550001111', Body: 'hi' }),
        400,
        21211,
        /Invalid 'To' Phone Number/,
      ],
      [await send({ To: '+15550002222', From: '+15550001111' }), 400, 21602, /Message body is required/],
      [
        await send({ To: '+15550002222', From: '+15559999999', Body: 'hi' }),
        400,
        21606,
        /not a valid, SMS-capable/,
      ],
    ];
    for (const [res, status, code, message] of cases) {
      expect(res.status).toBe(status);
      expect(await res.json()).toEqual({
        code,
        message: expect.stringMatching(message),
        more_info: `https://www.twilio.com/docs/errors/${code}`,
        status,
      });
    }
    expect(twilio.messages).toHaveLength(0);
  });
});
