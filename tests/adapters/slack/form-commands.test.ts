import { beforeAll, describe, expect, it } from 'vitest';
import { Broadcast, Contact, Conversation, Invoice, Message, User } from '../../../src/db/entities/index.ts';
import { inbound } from '../../adapters/whatsapp/payloads.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { settled } from '../../support/settled.ts';
import { buttonsOf, eventually, slackHarness } from '../../support/slack-app.ts';
import { viewErrors } from '../../support/slack-rules.ts';
import { createTestDb } from '../../support/test-db.ts';

const db = await createTestDb();
const h = slackHarness(db);
let ws: Workspace;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  for (const [u, id] of [
    [ws.alice, 'U_ALICE'],
    [ws.admin, 'U_ADA'],
  ] as const) {
    await db.em().nativeUpdate(User, { id: u.id }, { slackUserId: id });
  }
});

let customer = 15550700000;
/** A customer writes on WhatsApp: an open conversation in Support, inside WhatsApp's 24-hour window. */
async function newConversation(text: string) {
  const waId = String(++customer);
  await h.whatsappWebhook(inbound({ waId, name: `Customer ${waId}` }, 'text', { body: text }));
  await settled(h.services);
  const msg = await db.em().findOneOrFail(Message, { text }, { populate: ['conversation'] });
  return { waId, conv: msg.conversation };
}

type View = {
  callback_id?: string;
  private_metadata?: string;
  title: { text: string };
  submit?: { text: string };
  blocks: { block_id?: string; type: string }[];
};
type Values = Record<string, Record<string, Record<string, unknown>>>;

const lastModal = () => h.slack.modals.at(-1)!.view as unknown as View;
const value = (v: string) => ({ value: { type: 'plain_text_input', value: v } });
const number = (v: string) => ({ value: { type: 'number_input', value: v } });
const select = (v: string) => ({ value: { type: 'static_select', selected_option: { value: v } } });
const emptyText = { value: { type: 'plain_text_input', value: null } };

/** What Parley answered a modal submission (empty: the modal closes). */
async function submitted(
  res: Response,
): Promise<{ response_action?: string; errors?: Record<string, string>; view?: View }> {
  expect(res.status).toBe(200);
  const body = await res.text();
  return body ? JSON.parse(body) : {};
}

const answerText = async (res: Response) => {
  expect(res.status).toBe(200);
  return ((await res.json()) as { text: string }).text;
};

const invoiceValues = (price: string): Values => ({
  item1_description: value('Blue widget'),
  item1_quantity: number('2'),
  item1_price: number(price),
  item2_description: emptyText,
  item2_price: { value: { type: 'number_input', value: null } },
  currency: value('EUR'),
  due_date: { value: { type: 'datepicker', selected_date: '2999-12-31' } },
  reference: emptyText,
});

describe('/parley invoice, checkout, paid and void in Slack (R4, R38)', { timeout: 30_000 }, () => {
  it('R4: `/parley invoice #N` opens the invoice modal; a wrong amount is shown on its field and nothing is sent', async () => {
    const { conv } = await newConversation('Can I get an invoice?');
    const modals = h.slack.modals.length;
    const res = await h.command('U_ALICE', `invoice #${conv.number}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(h.slack.modals.length).toBe(modals + 1);
    const view = lastModal();
    expect(view.callback_id).toBe('parley_invoice');
    expect(view.private_metadata).toBe(conv.id);
    expect(view.title.text).toBe(`Invoice for #${conv.number}`);
    for (const field of [
      'item1_description',
      'item1_quantity',
      'item1_price',
      'currency',
      'due_date',
      'reference',
    ])
      expect(view.blocks.some((b) => b.block_id === field)).toBe(true);

    const refused = await submitted(await h.submitModal('U_ALICE', view, invoiceValues('12.505')));
    expect(refused).toEqual({
      response_action: 'errors',
      errors: { item1_price: 'EUR takes at most 2 digits after the point.' },
    });
    await settled(h.services);
    expect(await db.em().count(Invoice, { conversation: conv.id })).toBe(0);
    expect(h.graph.received.some((b) => JSON.stringify(b).includes('Blue widget'))).toBe(false);
  });

  it('R4: submitting the invoice modal creates the invoice and the customer receives its summary', async () => {
    const { waId, conv } = await newConversation('Invoice me please');
    await h.command('U_ALICE', `invoice #${conv.number}`);
    const closed = await submitted(await h.submitModal('U_ALICE', lastModal(), invoiceValues('12.50')));
    expect(closed).toEqual({});
    const invoice = await db.em().findOneOrFail(Invoice, { conversation: conv.id });
    expect(invoice).toMatchObject({
      reference: `INV-${conv.number}-1`,
      amountMinor: 2500,
      currency: 'EUR',
      status: 'unpaid',
      dueDate: '2999-12-31',
    });
    const summary = await eventually(() =>
      h.graph.received.find((b) => JSON.stringify(b).includes(`Invoice INV-${conv.number}-1`)),
    );
    expect(JSON.stringify(summary)).toContain(waId);
    expect(JSON.stringify(summary)).toContain('2 × Blue widget at EUR 12.50');

    // A reference already taken is refused on the reference field.
    await h.command('U_ALICE', `invoice #${conv.number}`);
    const taken = await submitted(
      await h.submitModal('U_ALICE', lastModal(), {
        ...invoiceValues('5'),
        reference: value(`INV-${conv.number}-1`),
      }),
    );
    expect(taken.errors?.reference).toContain('already exists');
    expect(await db.em().count(Invoice, { conversation: conv.id })).toBe(1);
  });

  it('R4: a typed `!invoice` in the thread (Slack gives it no trigger) says which command opens the form', async () => {
    const { conv } = await newConversation('Bill me in the thread');
    const header = await eventually(() =>
      h.slack.posts.find((p) => !p.thread_ts && JSON.stringify(p.blocks ?? []).includes(`#${conv.number}`)),
    );
    const typed = h.slack.personWrites('C_SUPPORT', 'U_ALICE', '!invoice', header.ts);
    const modals = h.slack.modals.length;
    const res = await h.event({
      type: 'message',
      channel: 'C_SUPPORT',
      user: 'U_ALICE',
      text: typed.text,
      ts: typed.ts,
      thread_ts: header.ts,
    });
    expect(res.status).toBe(200);
    const told = await eventually(() =>
      h.slack.ephemerals.find((e) => e.user === 'U_ALICE' && e.text.includes('invoice')),
    );
    expect(told.text).toContain(`/parley invoice #${conv.number}`);
    expect(h.slack.modals.length).toBe(modals);
  });

  it('R4: `checkout #N` written to Parley in its DM answers with a button that opens the checkout modal', async () => {
    const { conv } = await newConversation('Send me a checkout');
    const typed = h.slack.personWrites('D_U_ALICE', 'U_ALICE', `checkout #${conv.number}`);
    await h.event({
      type: 'message',
      channel: 'D_U_ALICE',
      channel_type: 'im',
      user: 'U_ALICE',
      text: typed.text,
      ts: typed.ts,
    });
    const answer = await eventually(() =>
      h.slack.posts.find(
        (p) => p.channel === 'D_U_ALICE' && buttonsOf(p).some((b) => b.action_id === 'parley_open_form'),
      ),
    );
    const res = await h.pressButton('U_ALICE', answer, 'parley_open_form');
    expect(res.status).toBe(200);
    const view = lastModal();
    expect(view.callback_id).toBe('parley_checkout');
    expect(view.private_metadata).toBe(conv.id);
    expect(view.blocks.some((b) => b.block_id === 'due_date')).toBe(false);
  });

  it('R4: `/parley checkout` in a conversation on webchat is refused with why, and no modal opens', async () => {
    const { conv } = await newConversation('Checkout here?');
    await db.em().nativeUpdate(Conversation, { id: conv.id }, { channel: 'webchat' });
    const modals = h.slack.modals.length;
    expect(await answerText(await h.command('U_ALICE', `checkout #${conv.number}`))).toContain(
      'only on WhatsApp or SMS',
    );
    expect(h.slack.modals.length).toBe(modals);
  });

  it('R38: `/parley paid INV-…` by an agent is refused (R4); by an admin it is recorded, and `void` then refuses', async () => {
    const { conv } = await newConversation('Paid by bank transfer');
    await h.command('U_ALICE', `invoice #${conv.number}`);
    await submitted(await h.submitModal('U_ALICE', lastModal(), invoiceValues('30')));
    const reference = `INV-${conv.number}-1`;

    expect(await answerText(await h.command('U_ALICE', `paid ${reference}`))).toContain('Only an admin');
    expect((await db.em().findOneOrFail(Invoice, { reference })).status).toBe('unpaid');

    expect(await answerText(await h.command('U_ADA', `paid ${reference}`))).toContain('recorded as paid');
    const invoice = await db.em().findOneOrFail(Invoice, { reference });
    expect(invoice.status).toBe('paid');
    expect(await answerText(await h.command('U_ADA', `void ${reference}`))).toContain('already paid');
    expect(await answerText(await h.command('U_ADA', 'paid INV-999999-9'))).toContain(
      'no invoice INV-999999-9',
    );
  });
});

describe('/parley broadcast in Slack (R8)', { timeout: 30_000 }, () => {
  it('R8: the modal → a preview with who is left out and why → Send creates the broadcast', async () => {
    // One tagged contact inside WhatsApp's window, one who never wrote, one who opted out.
    const { conv } = await newConversation('Tell me about offers');
    await db.em().nativeUpdate(Contact, { id: conv.contact.id }, { tags: ['vip'] });
    await seedContact(db.em(), ws.account, { name: 'Quiet Vip', tags: ['vip'] });
    const { contact: optedOut } = await seedContact(db.em(), ws.account, { name: 'Gone Vip', tags: ['vip'] });
    await db.em().nativeUpdate(Contact, { id: optedOut.id }, { optedOutChannels: ['whatsapp'] });

    await h.command('U_ALICE', 'broadcast');
    const form = lastModal();
    expect(form.callback_id).toBe('parley_broadcast');
    expect(JSON.stringify(form.blocks)).toContain('Support WhatsApp');
    expect(JSON.stringify(form.blocks)).toContain('"vip"');

    // Neither a tag nor contacts: refused on the tag field.
    const missing = await submitted(
      await h.submitModal('U_ALICE', form, { endpoint: select(ws.whatsapp.id), text: value('Sale!') }),
    );
    expect(missing.errors?.tag).toContain('Pick a tag');

    const preview = await submitted(
      await h.submitModal('U_ALICE', form, {
        endpoint: select(ws.whatsapp.id),
        tag: select('vip'),
        text: value('Winter sale: 20% off'),
      }),
    );
    expect(preview.response_action).toBe('update');
    const confirm = preview.view!;
    expect(viewErrors(confirm, 'modal')).toEqual([]);
    const shown = JSON.stringify(confirm.blocks);
    expect(shown).toContain('1 contact will receive it');
    expect(shown).toContain('of 3 contacts');
    expect(shown).toContain('Left out');
    expect(shown).toContain('• opted out of WhatsApp: 1');
    expect(shown).toContain("• outside WhatsApp's 24-hour window (send a template to reach them): 1");
    expect(confirm.submit?.text).toBe('Send to 1');
    expect(await db.em().count(Broadcast, {})).toBe(0);

    const done = await submitted(await h.submitModal('U_ALICE', { ...confirm, type: 'modal' } as View, {}));
    expect(done.response_action).toBe('update');
    expect(JSON.stringify(done.view?.blocks)).toContain('Broadcast started');
    const broadcast = await db.em().findOneOrFail(Broadcast, { createdBy: ws.alice.id });
    expect(broadcast.target).toEqual({ tag: 'vip' });
    // The same preview sent again (a double click) sends nothing more.
    const again = await submitted(await h.submitModal('U_ALICE', { ...confirm, type: 'modal' } as View, {}));
    expect(JSON.stringify(again.view?.blocks)).toContain('already sent');
    expect(await db.em().count(Broadcast, { createdBy: ws.alice.id })).toBe(1);
    await eventually(() => h.graph.received.some((b) => JSON.stringify(b).includes('Winter sale: 20% off')));
  });
});
