import { beforeAll, describe, expect, it } from 'vitest';
import { FORM_VERBS } from '../../../adapters/surfaces/teams/cards/payment-dialogs.ts';
import { Broadcast, Contact, Invoice, Message, User } from '../../../src/db/entities/index.ts';
import { seedContact, seedWorkspace, type Workspace } from '../../support/fixtures.ts';
import { createTestDb } from '../../support/test-db.ts';
import { inboundHarness } from './inbound-harness.ts';

/**
 * Issue 12 on Teams (R4, R8, parity with Slack's modals): a form command answers with a card whose
 * button opens the dialog (`task/fetch`); the dialog's submit (`task/submit`) runs the use-case,
 * and a broadcast goes through a preview dialog before Send.
 */
const db = await createTestDb();
const h = inboundHarness(db);
let ws: Workspace;
const alice = h.teams.addUser({ name: 'Alice Agent', email: 'alice@acme.test' });

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
  await db.em().nativeUpdate(User, { id: ws.alice.id }, { teamsUserId: alice.aadObjectId });
});

interface Answer {
  task?: { type: string; value: string | { title?: string; card: { content: unknown } } };
}
const body = async (res: Response) => {
  expect(res.status).toBe(200);
  return (await res.json()) as Answer;
};
const textOf = (card: unknown): string => JSON.stringify(card).replace(/\\"/g, '"');
const cardOf = (a: Answer) => (a.task?.value as { card?: { content: unknown } } | undefined)?.card?.content;
/** The submit action's data of a dialog card (what Teams sends back with the inputs). */
const submitData = (card: unknown) =>
  (card as { actions: { data: Record<string, unknown> }[] }).actions[0]!.data;
const dialog = (data: Record<string, unknown>) => ({ data, context: { theme: 'default' } });

/** The card Parley answered in the person's personal chat: its button's data (what task/fetch carries). */
function offeredButton(): Record<string, unknown> {
  const activity = h.teams
    .chatWith(alice.aadObjectId)
    .filter((a) => a.byBot && a.attachments?.length)
    .at(-1);
  const card = activity?.attachments?.[0]?.content as { actions: { data: Record<string, unknown> }[] };
  return card.actions[0]!.data;
}

describe('invoice via the Teams dialog (R4)', { timeout: 30_000 }, () => {
  it('R4: `invoice #N` answers with a button; its dialog refuses a wrong amount on the field, then sends the invoice', async () => {
    const conv = await h.newConversation(ws);
    await h.post(await h.personalMessage(alice, `invoice #${conv.number}`));
    const button = offeredButton();
    expect(button).toMatchObject({
      msteams: { type: 'task/fetch' },
      verb: FORM_VERBS.invoice,
      conversationId: conv.id,
    });

    const opened = await body(await h.invoke(alice, { personal: true }, 'task/fetch', dialog(button)));
    expect(opened.task).toMatchObject({ type: 'continue', value: { title: `Invoice for #${conv.number}` } });
    const data = submitData(cardOf(opened));

    const refused = await body(
      await h.invoke(
        alice,
        { personal: true },
        'task/submit',
        dialog({
          ...data,
          item1_description: 'Repair',
          item1_quantity: '1',
          item1_price: 'ten',
          currency: 'EUR',
        }),
      ),
    );
    expect(refused.task?.type).toBe('continue');
    const redrawn = textOf(cardOf(refused));
    expect(redrawn).toContain('Write the unit price as a number');
    expect(redrawn).toContain('Repair');
    expect(await db.em().count(Invoice, { conversation: conv.id })).toBe(0);

    const sent = await body(
      await h.invoke(
        alice,
        { personal: true },
        'task/submit',
        dialog({
          ...data,
          item1_description: 'Repair',
          item1_quantity: '1',
          item1_price: '80',
          currency: 'EUR',
          due_date: '2999-06-30',
        }),
      ),
    );
    expect(sent.task).toEqual({
      type: 'message',
      value: `Invoice INV-${conv.number}-1 was sent to the customer in #${conv.number}.`,
    });
    const invoice = await db.em().findOneOrFail(Invoice, { conversation: conv.id });
    expect(invoice).toMatchObject({ amountMinor: 8000, currency: 'EUR', dueDate: '2999-06-30' });
    const reply = await db.em().findOneOrFail(Message, { conversation: conv.id, kind: 'reply' });
    await h.deliver(reply.id);
    expect(h.customer.sent.at(-1)?.text).toContain(`Invoice INV-${conv.number}-1, due 2999-06-30`);

    // R38: marking it paid is an admin's (the same command as in Slack).
    await h.post(await h.personalMessage(alice, `paid INV-${conv.number}-1`));
    expect(h.told(alice).at(-1)).toContain('Only an admin');
    expect((await db.em().findOneOrFail(Invoice, { conversation: conv.id })).status).toBe('unpaid');
  });
});

describe('broadcast via the Teams dialog (R8)', { timeout: 30_000 }, () => {
  it('R8: the dialog → the preview with who is left out → Send creates the broadcast', async () => {
    const conv = await h.newConversation(ws);
    await db.em().nativeUpdate(Contact, { id: conv.contact.id }, { tags: ['teams-vip'] });
    await seedContact(db.em(), ws.account, { name: 'Quiet One', tags: ['teams-vip'] });

    await h.post(await h.personalMessage(alice, 'broadcast'));
    const button = offeredButton();
    expect(button.verb).toBe(FORM_VERBS.broadcast);
    const opened = await body(await h.invoke(alice, { personal: true }, 'task/fetch', dialog(button)));
    expect(textOf(cardOf(opened))).toContain('Support WhatsApp');
    const data = submitData(cardOf(opened));

    const preview = await body(
      await h.invoke(
        alice,
        { personal: true },
        'task/submit',
        dialog({ ...data, endpoint: ws.whatsapp.id, tag: 'teams-vip', text: 'Doors open at 9' }),
      ),
    );
    expect(preview.task).toMatchObject({ type: 'continue', value: { title: 'Broadcast preview' } });
    const shown = textOf(cardOf(preview));
    expect(shown).toContain('1 contact will receive it');
    expect(shown).toContain('of 2 contacts');
    expect(shown).toContain('Left out');
    expect(shown).toContain("• outside WhatsApp's 24-hour window (send a template to reach them): 1");
    expect(await db.em().count(Broadcast, { createdBy: ws.alice.id })).toBe(0);

    const confirmed = await body(
      await h.invoke(alice, { personal: true }, 'task/submit', dialog(submitData(cardOf(preview)))),
    );
    expect(confirmed.task?.type).toBe('message');
    expect(String(confirmed.task?.value)).toContain('Broadcast started');
    const broadcast = await db.em().findOneOrFail(Broadcast, { createdBy: ws.alice.id });
    expect(broadcast.target).toEqual({ tag: 'teams-vip' });
    const again = await body(
      await h.invoke(alice, { personal: true }, 'task/submit', dialog(submitData(cardOf(preview)))),
    );
    expect(String(again.task?.value)).toContain('already sent');
    expect(await db.em().count(Broadcast, { createdBy: ws.alice.id })).toBe(1);
  });
});
