import { beforeEach, describe, expect, it } from 'vitest';
import { isParseError, parseCommand } from '../../src/commands/parse-command.ts';
import { runCommand } from '../../src/commands/run-command.ts';
import { userActor } from '../../src/domain/actor.ts';
import type { UseCaseContext } from '../../src/use-cases/context.ts';
import { createInvoice } from '../../src/use-cases/invoices.ts';
import { issuePayLink } from '../../src/use-cases/pay-links.ts';
import { useMsw } from '../support/msw.ts';
import { createTestDb, type TestDb } from '../support/test-db.ts';
import { as, openConv, timeline, workspace } from '../use-cases/management/support.ts';
import { stripeFake, testStripeProvider } from './stripe-fake.ts';

/** R38: `/parley paylink INV-…` asks for a new pay link when the last one failed, from Slack or Teams. */
const stripe = stripeFake();
useMsw(...stripe.handlers);
beforeEach(() => stripe.reset());

const db: TestDb = await createTestDb();
const ws = await workspace(db);
const provider = testStripeProvider();
const withStripe = (): UseCaseContext => ({ em: db.em(), paymentProvider: 'stripe' });
const items = [{ description: 'Screen repair', quantity: 1, unitAmountMinor: 8900 }];

async function run(text: string, ctx: UseCaseContext = withStripe()) {
  const command = parseCommand(text);
  if (isParseError(command)) throw new Error(command.message);
  return runCommand(ctx, { command, actor: userActor(ws.alice.id), surface: 'slack' });
}

describe('R38: a new pay link from a chat command', () => {
  it('R38: after Stripe refused the link, `paylink INV-…` opens a new session and the customer gets it', async () => {
    const conv = await openConv(db, ws, { channel: 'sms' });
    const { invoice } = await createInvoice(withStripe(), as(ws.alice), {
      conversationId: conv.id,
      currency: 'EUR',
      items,
    });
    const issue = (attempt: number) =>
      issuePayLink(
        { em: db.em() },
        { kind: 'invoice', id: invoice.id, attempt },
        {
          provider,
          ttlMs: 3_600_000,
          lastAttempt: true,
        },
      );
    stripe.failNext({
      status: 400,
      type: 'invalid_request_error',
      message: 'No EUR here.',
      param: 'currency',
    });
    expect((await issue(0)).outcome).toBe('failed');

    const answer = await run(`paylink ${invoice.reference.toLowerCase()}`);
    expect(answer).toEqual({ kind: 'message', text: expect.stringContaining('new pay link') });
    expect((await timeline(db, conv.id)).at(-1)?.text).toContain('asked for a new pay link');
    expect((await issue(1)).outcome).toBe('issued');
    const sent = (await timeline(db, conv.id)).filter((m) => m.kind === 'reply');
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain(stripe.sessions.at(-1)!.url);

    // The link is live now: asking again is refused with the reason, and nothing new is opened.
    await expect(run(`paylink ${invoice.reference}`)).rejects.toMatchObject({ code: 'conflict' });
    expect(stripe.sessions).toHaveLength(1); // the refused attempt opened none
  });

  it('R38: without a payment provider the command says there is no pay link to send', async () => {
    const conv = await openConv(db, ws, { channel: 'whatsapp' });
    const { invoice } = await createInvoice({ em: db.em() }, as(ws.alice), {
      conversationId: conv.id,
      currency: 'EUR',
      items,
    });
    await expect(run(`paylink ${invoice.reference}`, { em: db.em() })).rejects.toMatchObject({
      code: 'not_configured',
    });
  });

  it('R38: the command names one invoice reference', () => {
    const parsed = parseCommand('paylink');
    expect(isParseError(parsed) && parsed.usage).toContain('/parley paylink INV-1042-1');
  });
});
