import { beforeAll, describe, expect, it } from 'vitest';
import { Message, User } from '../../src/db/entities/index.ts';
import { inbound, status } from '../adapters/whatsapp/payloads.ts';
import { BOT } from '../support/fake-slack.ts';
import { seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { settled } from '../support/settled.ts';
import { eventually, slackHarness } from '../support/slack-app.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const h = slackHarness(db);
let ws: Workspace;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U_ALICE' });
});

describe('from a WhatsApp message to a Slack thread and back', () => {
  it('R28, R29: the customer message lands in its thread, the agent answers there, the customer gets it, and the delivery shows in Slack', async () => {
    const res = await h.whatsappWebhook(
      inbound({ waId: '15550101010', name: 'Dana <!channel>' }, 'text', { body: 'Where is my parcel?' }),
    );
    expect(res.status).toBe(200);

    // A header in the group's channel, then the customer's message in its thread under their name.
    const header = await eventually(() =>
      h.slack.posts.find(
        (p) => p.channel === 'C_SUPPORT' && !p.thread_ts && p.metadata?.event_type === 'parley_thread',
      ),
    );
    const customerPost = await eventually(() =>
      h.slack.threadOf('C_SUPPORT', header.ts).find((p) => p.text.includes('Where is my parcel?')),
    );
    expect(customerPost.username).toContain('Dana &lt;!channel&gt;');
    expect(JSON.stringify(h.slack.posts)).not.toContain('<!channel>');

    // Alice answers in the thread, as she would in Slack.
    const typed = h.slack.personWrites(
      'C_SUPPORT',
      'U_ALICE',
      'It ships today &amp; arrives Friday',
      header.ts,
    );
    const messageEvent = {
      type: 'message',
      channel: 'C_SUPPORT',
      channel_type: 'channel',
      user: 'U_ALICE',
      text: typed.text,
      ts: typed.ts,
      thread_ts: header.ts,
    };
    const ev = await h.event(messageEvent, { eventId: 'Ev-alice-reply' });
    expect(ev.status).toBe(200);
    // Slack delivers the same event again (its retry when an answer is slow): still one reply.
    const retried = await h.event(messageEvent, { eventId: 'Ev-alice-reply', retryNum: 1 });
    expect(retried.status).toBe(200);

    // The customer gets it on WhatsApp, as plain text, exactly once.
    await eventually(() => h.graph.sent.length > 0);
    await settled(h.services);
    expect(h.graph.received).toHaveLength(1);
    expect(h.graph.sent).toHaveLength(1);
    const sent = h.graph.sent[0]!;
    expect(sent.phoneNumberId).toBe('PNID_SUPPORT');
    expect(sent.body).toMatchObject({
      messaging_product: 'whatsapp',
      to: '15550101010',
      type: 'text',
      text: { body: 'It ships today & arrives Friday' },
    });

    // WhatsApp says it was delivered: the state shows on Alice's own message.
    const statusRes = await h.whatsappWebhook(
      status(sent.wamid, 'delivered', {
        recipient: '15550101010',
        // Meta echoes the id Parley sent along, so the status matches even before the send's commit.
        callback: sent.body.biz_opaque_callback_data,
      }),
    );
    expect(statusRes.status).toBe(200);
    await eventually(() => typed.reactions.includes('white_check_mark'));
    await settled(h.services);
    // Only the latest state shows (the earlier "sent" is taken off).
    expect(typed.reactions).toEqual(['white_check_mark']);

    // Everything settled: one header, the customer's message and Alice's reply once each, nothing
    // posted a second time by the app, and still one send.
    expect(h.slack.posts.filter((p) => p.channel === 'C_SUPPORT' && !p.thread_ts)).toHaveLength(1);
    const thread = h.slack.threadOf('C_SUPPORT', header.ts);
    expect(thread.map((p) => [p.bot_id === BOT.botId ? 'app' : p.user, p.text])).toEqual([
      ['app', expect.stringContaining('Where is my parcel?')],
      ['U_ALICE', 'It ships today &amp; arrives Friday'],
    ]);
    expect(h.graph.received).toHaveLength(1);
    const replies = await db.em().find(Message, { kind: 'reply' });
    expect(replies.map((m) => [m.text, m.deliveryState, m.providerMessageId])).toEqual([
      ['It ships today & arrives Friday', 'delivered', sent.wamid],
    ]);
  });
});
