import { beforeAll, describe, expect, it } from 'vitest';
import { Message } from '../../../src/db/entities/index.ts';
import { updateGroup } from '../../../src/setup/groups.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { settled } from '../../support/settled.ts';
import { buttonsOf, eventually, slackHarness } from '../../support/slack-app.ts';
import { createTestDb } from '../../support/test-db.ts';
import { linkSlackUsers } from './interactivity-support.ts';

/**
 * R41 on Slack: a group's reply mode. In `explicit` groups a plain thread message is a note and
 * only `!reply`, the header's Reply… dialog and "Send to customer" reach the customer, through
 * closes and reopens; in `thread` groups a message that only mentions teammates stays a note.
 * Every absence is asserted after the queues settled.
 */
const db = await createTestDb();
const h = slackHarness(db);
let ws: Workspace;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await linkSlackUsers(db, [
    [ws.alice, 'U_ALICE'],
    [ws.bob, 'UBOB'],
  ]);
});

let customer = 15550300000;
const newThread = async (text: string) => ({ header: await h.customerThread(String(++customer), text) });

async function write(user: string, text: string, threadTs: string) {
  const { typed, res } = await h.writesInThread(user, text, threadTs);
  expect(res.status).toBe(200);
  return typed;
}

/** What the customers got on WhatsApp, in order. */
const sentTexts = () => h.graph.sent.map((s) => s.body.text?.body).filter((t): t is string => !!t);
const toldAlice = () => h.slack.ephemerals.filter((e) => e.user === 'U_ALICE').map((e) => e.text);
const kinds = async (texts: string[]) =>
  Object.fromEntries(
    (
      await db
        .em()
        .fork()
        .find(Message, { text: { $in: texts } })
    ).map((m) => [m.text, m.kind]),
  );
const sendToCustomer = (
  user: string,
  message: { ts: string; text: string; user?: string },
  threadTs: string,
) =>
  h.interact({
    type: 'message_action',
    callback_id: 'parley_send_to_customer',
    trigger_id: `trigger-send-${message.ts}`,
    response_url: 'https://hooks.slack.test/actions/2',
    team: { id: 'T1', domain: 'acme' },
    user: { id: user, name: user.toLowerCase(), team_id: 'T1' },
    channel: { id: 'C_SUPPORT', name: 'support' },
    message_ts: message.ts,
    message: { type: 'message', user: message.user, text: message.text, ts: message.ts, thread_ts: threadTs },
    token: 'unused',
    action_ts: String(Date.now() / 1000),
  });

describe('R41: a group whose replies are explicit (Slack)', { timeout: 60_000 }, () => {
  it('R41: plain thread messages stay notes through a close and a reopen; !reply, Reply… and Send to customer each send once', async () => {
    await updateGroup(db.em(), ws.group.id, { replies: 'explicit' });
    try {
      const { header } = await newThread('Is my refund coming?');
      const note = await write('U_ALICE', 'Checking with billing first', header.ts);
      await write('U_ALICE', 'Billing says yes', header.ts);
      await settled(h.services);
      expect(await kinds(['Checking with billing first', 'Billing says yes'])).toEqual({
        'Checking with billing first': 'note',
        'Billing says yes': 'note',
      });
      // Marked in the thread, and the author told once for the conversation.
      expect(note.reactions).toContain('memo');
      expect(toldAlice().filter((t) => t.includes('replies are explicit'))).toHaveLength(1);

      await write('U_ALICE', '!reply Your refund is on its way', header.ts);
      await eventually(() => sentTexts().includes('Your refund is on its way'));

      // Reply… on the header: a dialog whose text is sent as Alice's reply.
      expect((await h.pressButton('U_ALICE', header, 'conv_reply')).status).toBe(200);
      const { view } = h.slack.callsOf('views.open').at(-1)!.args as { view: Record<string, unknown> };
      expect(view.callback_id).toBe('parley_reply');
      await h.submitModal('U_ALICE', view, {
        reply: { text: { type: 'plain_text_input', value: 'Expect it Monday' } },
      });
      await eventually(() => sentTexts().includes('Expect it Monday'));

      // Send to customer on the first note: sent once, however often it is chosen; its memo mark goes.
      await sendToCustomer('UBOB', { ts: note.ts, text: note.text, user: 'U_ALICE' }, header.ts);
      await eventually(() => sentTexts().includes('Checking with billing first'));
      await sendToCustomer('UBOB', { ts: note.ts, text: note.text, user: 'U_ALICE' }, header.ts);
      expect(h.slack.ephemerals.some((e) => e.user === 'UBOB' && e.text.includes('already sent'))).toBe(true);
      expect(note.reactions).not.toContain('memo');

      // Closed, then reopened: a plain message is still a note, never a new conversation (R22).
      await h.pressButton('U_ALICE', header, 'conv_assign_me');
      await h.pressButton('U_ALICE', header, 'conv_close');
      await eventually(() => buttonsOf(header).some((b) => b.action_id === 'conv_reopen'));
      await write('U_ALICE', 'Closed, but one more thought', header.ts);
      await h.pressButton('U_ALICE', header, 'conv_reopen');
      await eventually(() => buttonsOf(header).some((b) => b.action_id === 'conv_close'));
      await write('U_ALICE', 'Reopened: waiting for the courier', header.ts);
      await settled(h.services);
      expect(await kinds(['Closed, but one more thought', 'Reopened: waiting for the courier'])).toEqual({
        'Closed, but one more thought': 'note',
        'Reopened: waiting for the courier': 'note',
      });
      const sent = sentTexts();
      for (const t of [
        'Billing says yes',
        'Closed, but one more thought',
        'Reopened: waiting for the courier',
      ])
        expect(sent).not.toContain(t);
      expect(sent.filter((t) => t === 'Checking with billing first')).toHaveLength(1);
    } finally {
      await updateGroup(db.em(), ws.group.id, { replies: 'thread' });
    }
  });

  it('R41: back in thread mode, a plain message goes to the customer again', async () => {
    await updateGroup(db.em(), ws.group.id, { replies: 'explicit' });
    const { header } = await newThread('Hello again');
    await write('U_ALICE', 'Still a note', header.ts);
    await updateGroup(db.em(), ws.group.id, { replies: 'thread' });
    await write('U_ALICE', 'Now a reply', header.ts);
    await eventually(() => sentTexts().includes('Now a reply'));
    await settled(h.services);
    expect(sentTexts()).not.toContain('Still a note');
  });
});

describe('R41: a group whose replies are in the thread (Slack)', { timeout: 60_000 }, () => {
  it('R41: a message that only mentions teammates stays a note and its author is told; one with words goes out', async () => {
    const { header } = await newThread('Can someone help?');
    const ping = await write('U_ALICE', '<@UBOB>?', header.ts);
    await write('U_ALICE', '<@UBOB> will call you back today', header.ts);
    await eventually(() => sentTexts().includes('@Bob will call you back today'));
    await settled(h.services);
    expect(await kinds(['@Bob?'])).toEqual({ '@Bob?': 'note' });
    expect(sentTexts()).not.toContain('@Bob?');
    expect(ping.reactions).toContain('memo');
    expect(toldAlice().some((t) => t.includes('only mentions teammates'))).toBe(true);
  });

  it('R41: Send to customer outside a conversation thread, or on a post by Parley, sends nothing and says why', async () => {
    const { header } = await newThread('Anything?');
    const before = h.graph.sent.length;
    const own = h.slack.threadOf('C_SUPPORT', header.ts)[0]!;
    await sendToCustomer('U_ALICE', { ts: own.ts, text: own.text }, header.ts);
    const elsewhere = h.slack.personWrites('C_SUPPORT', 'U_ALICE', 'Lunch?');
    await sendToCustomer('U_ALICE', { ts: elsewhere.ts, text: 'Lunch?', user: 'U_ALICE' }, 'ts-nowhere');
    await settled(h.services);
    expect(h.graph.sent.length).toBe(before);
    const told = toldAlice();
    expect(told.some((t) => t.includes('post by Parley'))).toBe(true);
    expect(told.some((t) => t.includes('in a conversation’s thread'))).toBe(true);
  });
});
