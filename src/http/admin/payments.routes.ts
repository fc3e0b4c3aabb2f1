import { createRoute, z } from '@hono/zod-openapi';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from 'hono';
import { Checkout, Conversation, Invoice, type User } from '../../db/entities/index.ts';
import { userActor } from '../../domain/actor.ts';
import { AppError } from '../../domain/errors.ts';
import { findActingUser } from '../../queries/acting-user.ts';
import type { UseCaseContext } from '../../use-cases/context.ts';
import { markInvoicePaid, voidInvoice } from '../../use-cases/invoice-changes.ts';
import { createCheckout, createInvoice } from '../../use-cases/invoices.ts';
import { loadConversationFor } from '../../use-cases/load.ts';
import { retryPayLink } from '../../use-cases/pay-links.ts';
import type { AppEnv } from '../env.ts';
import { actingUserHeaders, conversationParams } from './conversation-views.ts';
import { adminRouter, errors, idParams, json, jsonBody } from './openapi.ts';
import {
  changedView,
  checkoutBody,
  checkoutView,
  created,
  invoiceBody,
  invoiceView,
  retriedView,
  toCheckoutView,
  toInvoiceView,
} from './payment-views.ts';

const tags = ['Payments'];

/**
 * R4/R38 through the API: invoices and checkouts of a conversation, created and settled as the
 * user named in X-Parley-User, through the same use-cases as the chat commands (R33).
 */

const retryRoute = (resource: 'invoices' | 'checkouts', operationId: string) =>
  createRoute({
    method: 'post',
    path: `/${resource}/{id}/pay-link`,
    operationId,
    tags,
    summary: `Ask the payment provider for a new pay link (${resource === 'invoices' ? 'invoice' : 'checkout'})`,
    description:
      'For an open request whose link failed or expired (R38): a new session is opened and its link sent ' +
      'to the contact. 503 without a payment provider.',
    request: { headers: actingUserHeaders, params: idParams },
    responses: { 202: json(retriedView, 'The new link is on its way.'), ...errors(403, 404, 409, 422) },
  });

interface Acting {
  user: User;
  ctx: UseCaseContext;
}

export function paymentAdminRoutes(opts: { paymentProvider: string | null }) {
  const acting = async (c: Context<AppEnv>, header: string): Promise<Acting> => {
    const user = await findActingUser(c.get('em'), header);
    // The use-case's own transaction never meets an entity this lookup loaded.
    const ctx = {
      em: c.get('em').fork() as EntityManager,
      dispatch: c.get('dispatch'),
      paymentProvider: opts.paymentProvider,
    };
    return { user, ctx };
  };
  /** A conversation by id or number (`1042`), in the acting user's account. */
  const conversationIdOf = async (c: Context<AppEnv>, user: User, id: string): Promise<string> => {
    if (!/^\d+$/.test(id)) return id;
    const conv = await c
      .get('em')
      .findOne(
        Conversation,
        { account: user.account.id, number: Number(id), status: { $ne: 'deleted' } },
        { fields: ['id'] },
      );
    if (!conv) throw new AppError('not_found', `There is no conversation #${id} you can see.`);
    return conv.id;
  };
  const invoiceAction = (path: string, operationId: string, summary: string, description: string) =>
    createRoute({
      method: 'post',
      path: `/invoices/{id}/${path}`,
      operationId,
      tags,
      summary,
      description,
      request: { headers: actingUserHeaders, params: idParams },
      responses: { 200: json(changedView, 'The invoice now.'), ...errors(403, 404, 409, 422) },
    });

  return adminRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/conversations/{id}/invoices',
        operationId: 'createInvoice',
        tags,
        summary: 'Send an invoice',
        description:
          'WhatsApp and SMS conversations only (R4). With a payment provider the contact receives the ' +
          'summary with its pay link once the provider issued it (R38); without one, the summary at once, ' +
          'and an admin marks it paid by hand. Unpaid, it blocks close (R21) and delete (R24).',
        request: { headers: actingUserHeaders, params: conversationParams, body: jsonBody(invoiceBody) },
        responses: {
          201: json(created(invoiceView).openapi('InvoiceCreated'), 'The invoice.'),
          ...errors(403, 404, 409, 422),
        },
      }),
      async (c) => {
        const a = await acting(c, c.req.valid('header')['x-parley-user']);
        const conversationId = await conversationIdOf(c, a.user, c.req.valid('param').id);
        const r = await createInvoice(a.ctx, userActor(a.user.id), {
          conversationId,
          ...c.req.valid('json'),
        });
        return c.json(
          { payment: toInvoiceView(r.invoice), messageId: r.message.id, payLinkPending: r.payLinkPending },
          201,
        );
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/conversations/{id}/checkouts',
        operationId: 'createCheckout',
        tags,
        summary: 'Send a checkout',
        description: 'A pay link for items (R4, R38), on WhatsApp and SMS; it does not block close.',
        request: { headers: actingUserHeaders, params: conversationParams, body: jsonBody(checkoutBody) },
        responses: {
          201: json(created(checkoutView).openapi('CheckoutCreated'), 'The checkout.'),
          ...errors(403, 404, 409, 422),
        },
      }),
      async (c) => {
        const a = await acting(c, c.req.valid('header')['x-parley-user']);
        const conversationId = await conversationIdOf(c, a.user, c.req.valid('param').id);
        const r = await createCheckout(a.ctx, userActor(a.user.id), {
          conversationId,
          ...c.req.valid('json'),
        });
        return c.json(
          { payment: toCheckoutView(r.checkout), messageId: r.message.id, payLinkPending: r.payLinkPending },
          201,
        );
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/conversations/{id}/invoices',
        operationId: 'listInvoices',
        tags,
        summary: 'Invoices and checkouts of a conversation',
        request: { headers: actingUserHeaders, params: conversationParams },
        responses: {
          200: json(
            z
              .object({ items: z.array(invoiceView), checkouts: z.array(checkoutView) })
              .openapi('InvoiceList'),
            'Oldest first.',
          ),
          ...errors(403, 404, 422),
        },
      }),
      async (c) => {
        const a = await acting(c, c.req.valid('header')['x-parley-user']);
        const em = c.get('em');
        const conv = await loadConversationFor(
          em,
          a.user,
          await conversationIdOf(c, a.user, c.req.valid('param').id),
          {
            lock: false,
          },
        );
        const order = { orderBy: { createdAt: 'asc' as const } };
        const [invoices, checkouts] = await Promise.all([
          em.find(Invoice, { conversation: conv.id }, order),
          em.find(Checkout, { conversation: conv.id }, order),
        ]);
        return c.json({ items: invoices.map(toInvoiceView), checkouts: checkouts.map(toCheckoutView) }, 200);
      },
    )
    .openapi(
      invoiceAction(
        'paid',
        'markInvoicePaid',
        'Mark an invoice paid',
        'Admins only: a payment by arrangement (R38).',
      ),
      async (c) => {
        const a = await acting(c, c.req.valid('header')['x-parley-user']);
        const r = await markInvoicePaid(a.ctx, userActor(a.user.id), { invoiceId: c.req.valid('param').id });
        return c.json({ invoice: toInvoiceView(r.invoice), changed: r.changed }, 200);
      },
    )
    .openapi(
      invoiceAction(
        'void',
        'voidInvoice',
        'Void an invoice',
        'Admins only; it then no longer blocks close or delete.',
      ),
      async (c) => {
        const a = await acting(c, c.req.valid('header')['x-parley-user']);
        const r = await voidInvoice(a.ctx, userActor(a.user.id), { invoiceId: c.req.valid('param').id });
        return c.json({ invoice: toInvoiceView(r.invoice), changed: r.changed }, 200);
      },
    )
    .openapi(retryRoute('invoices', 'retryInvoicePayLink'), async (c) => {
      const a = await acting(c, c.req.valid('header')['x-parley-user']);
      const r = await retryPayLink(a.ctx, userActor(a.user.id), { invoiceId: c.req.valid('param').id });
      return c.json({ linkState: 'pending' as const, linkAttempt: r.payment.linkAttempt }, 202);
    })
    .openapi(retryRoute('checkouts', 'retryCheckoutPayLink'), async (c) => {
      const a = await acting(c, c.req.valid('header')['x-parley-user']);
      const r = await retryPayLink(a.ctx, userActor(a.user.id), { checkoutId: c.req.valid('param').id });
      return c.json({ linkState: 'pending' as const, linkAttempt: r.payment.linkAttempt }, 202);
    });
}
