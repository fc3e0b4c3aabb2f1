import { beforeAll, describe, expect, it } from 'vitest';
import { Message, User } from '../../../src/db/entities/index.ts';
import { inbound, unixNow, wamid } from '../../adapters/whatsapp/payloads.ts';
import { seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { settled } from '../../support/settled.ts';
import { eventually, slackHarness } from '../../support/slack-app.ts';
import { createTestDb } from '../../support/test-db.ts';

const db = await createTestDb();
const h = slackHarness(db);
let ws: Workspace;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { slackUserId: 'U0ALICE' });
  await db.em().nativeUpdate(User, { id: ws.admin.id }, { slackUserId: 'U0ADA' });
});

const answer = async (res: Response) => {
  expect(res.status).toBe(200);
  return ((await res.json()) as { text: string }).text;
};

/** Markup a customer (or a user) can put in their name, and how Slack must be sent it to show as text. */
const HOSTILE = '<!channel> <https://evil.test/login|Verify your account> & <@U0ADA>';
const AS_TEXT = '&lt;!channel&gt; &lt;https://evil.test/login|Verify your account&gt; &amp; &lt;@U0ADA&gt;';

let customer = 15550700000;
/** A WhatsApp customer called HOSTILE who last wrote 25 hours ago: a free-form reply is refused (R7). */
async function silentCustomer() {
  const waId = String(++customer);
  const id = wamid();
  await h.whatsappWebhook(
    inbound(
      { waId, name: HOSTILE },
      'text',
      { body: `Old news ${waId}` },
      { id, timestamp: unixNow(-25 * 3600) },
    ),
  );
  const msg = await db.em().findOneOrFail(Message, { providerMessageId: id }, { populate: ['conversation'] });
  const header = await eventually(() =>
    h.slack.posts.find(
      (p) => !p.thread_ts && h.slack.threadOf('C_SUPPORT', p.ts).some((r) => r.text.includes(waId)),
    ),
  );
  // Parley has recorded the thread (a reply in a thread it has not recorded yet waits for the sweep).
  await settled(h.services);
  return { conv: msg.conversation, header };
}

describe('what Parley answers people in Slack (R30, R33): names are text, mentions are mentions', () => {
  it("R33: a refusal that quotes a customer's name shows it as text: it never becomes a link or a mention", async () => {
    const { conv, header } = await silentCustomer();
    const refused = await answer(await h.command('U0ALICE', `reply #${conv.number} Are you still there?`));
    expect(refused).toContain(`:no_entry: ${AS_TEXT} has not written on WhatsApp`);
    expect(refused).not.toMatch(/<!channel>|<https:|<@U0ADA>/);

    // The same refusal for a plain reply in the thread, told privately.
    const typed = h.slack.personWrites('C_SUPPORT', 'U0ALICE', 'Hello again', header.ts);
    const res = await h.event({
      type: 'message',
      channel: 'C_SUPPORT',
      channel_type: 'channel',
      user: 'U0ALICE',
      text: typed.text,
      ts: typed.ts,
      thread_ts: header.ts,
    });
    expect(res.status).toBe(200);
    const told = h.slack.ephemerals.filter((e) => e.user === 'U0ALICE').at(-1)!.text;
    expect(told).toBe(
      `Not sent to the customer: ${AS_TEXT} has not written on WhatsApp in the last 24 hours, so a free-form message is not allowed. Send a template message instead.`,
    );
  });

  it('R33: `/parley link @x a@b` answers with @x as a mention, and the linked name as text', async () => {
    await db.em().nativeUpdate(User, { id: ws.bob.id }, { name: `Bob ${HOSTILE}` });
    const text = await answer(
      await h.command('U0ADA', 'link <@U0BOB|bob> <mailto:bob@acme.test|bob@acme.test>'),
    );
    expect(text).toBe(`Linked <@U0BOB> to Bob ${AS_TEXT} (bob@acme.test).`);
    expect((await db.em().findOneOrFail(User, ws.bob.id)).slackUserId).toBe('U0BOB');
  });

  /**
   * 100,000 characters shaped against the former email pattern (`[^\s@<>]+\.[^\s@<>]+$` tried every
   * dot against every ending: ~5·10⁹ steps, about 16 s, at this size) arrive as a signed slash
   * command and are answered; what is asserted is the answer.
   */
  it('R30: a hostile 100,000-character `/parley link` is answered like any malformed one', async () => {
    const text = await answer(await h.command('U0ADA', `link <@U0CAROL> a@${'.'.repeat(100_000)}@`));
    expect(text).toMatch(/email/i);
    expect((await db.em().findOneOrFail(User, ws.carol.id)).slackUserId).toBeNull();
  });
});
