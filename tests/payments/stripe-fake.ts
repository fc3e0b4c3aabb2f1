import { HttpResponse, http } from 'msw';
import Stripe from 'stripe';
import { createStripeProvider } from '../../adapters/payments/stripe/stripe.provider.ts';

/**
 * Stripe's API as Parley uses it, faked with msw in Stripe's own shapes: `POST
 * /v1/checkout/sessions` takes a form-encoded body (`line_items[0][price_data][currency]=eur`),
 * needs a Bearer secret key, answers a `checkout.session` object, and replays the first answer
 * for a repeated Idempotency-Key with `Idempotent-Replayed: true` (a success or a 500; not a 4xx
 * refused before the endpoint ran). Errors are
 * `{ error: { type, message, code?, param? } }` with Stripe's statuses. Also signs webhook
 * events as Stripe does (`Stripe-Signature: t=…,v1=…`).
 */
export const STRIPE_API_BASE = 'https://stripe.test';
export const STRIPE_SECRET_KEY = 'sk_test_parley_fake_key';
export const STRIPE_WEBHOOK_SECRET = 'whsec_parley_fake_secret';
export const STRIPE_ENV = {
  STRIPE_SECRET_KEY,
  STRIPE_WEBHOOK_SECRET,
  STRIPE_API_BASE,
};

/** The Stripe adapter pointed at this fake, without the SDK's own retries (the jobs retry). */
export const testStripeProvider = (secretKey = STRIPE_SECRET_KEY) =>
  createStripeProvider({
    secretKey,
    webhookSecret: STRIPE_WEBHOOK_SECRET,
    apiBase: STRIPE_API_BASE,
    successUrl: 'https://parley.test/payments/done',
    cancelUrl: 'https://parley.test/payments/cancelled',
    maxNetworkRetries: 0,
  });

export interface StripeSession {
  id: string;
  object: 'checkout.session';
  mode: string;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  url: string;
  expires_at: number;
  currency: string;
  amount_total: number;
  client_reference_id: string | null;
  metadata: Record<string, string>;
  success_url: string;
  cancel_url: string;
  line_items: { quantity: number; currency: string; unit_amount: number; name: string }[];
}

export interface StripeErrorScript {
  status: number;
  type: 'invalid_request_error' | 'api_error' | 'authentication_error' | 'rate_limit_error';
  message: string;
  code?: string;
  param?: string;
}

/** Stripe's form encoding, read back into nested objects (`a[b][0][c]=d`). */
function parseForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, '').split('[');
    let node = out as Record<string, unknown>;
    path.forEach((part, i) => {
      if (i === path.length - 1) node[part] = value;
      else {
        node[part] ??= {};
        node = node[part] as Record<string, unknown>;
      }
    });
  }
  return out;
}

const values = (o: unknown) => Object.values((o ?? {}) as Record<string, unknown>);

export function stripeFake() {
  const sessions: StripeSession[] = [];
  /** Every create request as received: its parsed form, headers and status answered. */
  const requests: {
    form: Record<string, unknown>;
    idempotencyKey: string | null;
    authorization: string | null;
    status: number;
  }[] = [];
  const replays = new Map<string, { status: number; body: unknown }>();
  const script: StripeErrorScript[] = [];
  const expired: string[] = [];
  let n = 0;

  const create = (form: Record<string, unknown>): { status: number; body: unknown } => {
    const failure = script.shift();
    if (failure)
      return {
        status: failure.status,
        body: {
          error: {
            type: failure.type,
            message: failure.message,
            ...(failure.code ? { code: failure.code } : {}),
            ...(failure.param ? { param: failure.param } : {}),
          },
        },
      };
    for (const required of ['mode', 'success_url']) {
      if (!form[required])
        return {
          status: 400,
          body: {
            error: {
              type: 'invalid_request_error',
              message: `Missing required param: ${required}.`,
              param: required,
            },
          },
        };
    }
    const items = values(form.line_items).map((raw) => {
      const item = raw as {
        quantity: string;
        price_data: { currency: string; unit_amount: string; product_data: { name: string } };
      };
      return {
        quantity: Number(item.quantity),
        currency: item.price_data.currency,
        unit_amount: Number(item.price_data.unit_amount),
        name: item.price_data.product_data.name,
      };
    });
    if (items.length === 0)
      return {
        status: 400,
        body: {
          error: {
            type: 'invalid_request_error',
            message: 'Missing required param: line_items.',
            param: 'line_items',
          },
        },
      };
    n += 1;
    const id = `cs_test_${String(n).padStart(4, '0')}${'x'.repeat(20)}`;
    const session: StripeSession = {
      id,
      object: 'checkout.session',
      mode: String(form.mode),
      status: 'open',
      payment_status: 'unpaid',
      url: `https://checkout.stripe.test/c/pay/${id}`,
      expires_at: Number(form.expires_at),
      currency: items[0]!.currency,
      amount_total: items.reduce((s, i) => s + i.quantity * i.unit_amount, 0),
      client_reference_id: (form.client_reference_id as string) ?? null,
      metadata: (form.metadata ?? {}) as Record<string, string>,
      success_url: String(form.success_url),
      cancel_url: String(form.cancel_url ?? ''),
      line_items: items,
    };
    sessions.push(session);
    return { status: 200, body: session };
  };

  const handlers = [
    http.post(`${STRIPE_API_BASE}/v1/checkout/sessions`, async ({ request }) => {
      const authorization = request.headers.get('authorization');
      const idempotencyKey = request.headers.get('idempotency-key');
      const form = parseForm(await request.text());
      if (authorization !== `Bearer ${STRIPE_SECRET_KEY}`) {
        requests.push({ form, idempotencyKey, authorization, status: 401 });
        return HttpResponse.json(
          { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } },
          { status: 401 },
        );
      }
      const replay = idempotencyKey ? replays.get(idempotencyKey) : undefined;
      if (replay) {
        requests.push({ form, idempotencyKey, authorization, status: replay.status });
        return HttpResponse.json(replay.body as never, {
          status: replay.status,
          headers: { 'idempotent-replayed': 'true', 'request-id': `req_${n}` },
        });
      }
      const answer = create(form);
      // Stripe keeps the first answer of a key once the endpoint ran, 500s included; a request refused
      // before it ran (a parameter that fails validation, a rate limit) is not kept.
      if (idempotencyKey && (answer.status < 400 || answer.status >= 500))
        replays.set(idempotencyKey, answer);
      requests.push({ form, idempotencyKey, authorization, status: answer.status });
      return HttpResponse.json(answer.body as never, {
        status: answer.status,
        headers: { 'request-id': `req_${n}` },
      });
    }),
  ];

  handlers.push(
    http.post(`${STRIPE_API_BASE}/v1/checkout/sessions/:id/expire`, ({ params, request }) => {
      if (request.headers.get('authorization') !== `Bearer ${STRIPE_SECRET_KEY}`)
        return HttpResponse.json(
          { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } },
          { status: 401 },
        );
      const session = sessions.find((s) => s.id === params.id);
      if (!session)
        return HttpResponse.json(
          {
            error: {
              type: 'invalid_request_error',
              code: 'resource_missing',
              message: `No such checkout.session: '${params.id}'`,
            },
          },
          { status: 404 },
        );
      expired.push(session.id);
      if (session.status !== 'open')
        return HttpResponse.json(
          {
            error: {
              type: 'invalid_request_error',
              message: `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of \`${session.status}\`.`,
            },
          },
          { status: 400 },
        );
      session.status = 'expired';
      return HttpResponse.json(session);
    }),
  );

  return {
    handlers,
    sessions,
    /** Session ids Parley asked to expire. */
    expired,
    requests,
    /** The next create requests fail like this, in order. */
    failNext: (...errors: StripeErrorScript[]) => script.push(...errors),
    reset: () => {
      sessions.length = 0;
      requests.length = 0;
      replays.clear();
      script.length = 0;
      expired.length = 0;
    },
  };
}

let eventN = 0;

/** A webhook event as Stripe posts it: its JSON body and `Stripe-Signature` header. */
export function stripeEvent(
  type: string,
  session: Partial<StripeSession> & { id: string },
  opts: { id?: string; secret?: string; timestamp?: number; created?: number } = {},
): { id: string; body: string; signature: string } {
  eventN += 1;
  const id = opts.id ?? `evt_test_${Date.now()}_${eventN}`;
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    id,
    object: 'event',
    api_version: '2026-11-18.endive',
    created: opts.created ?? timestamp,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object: { object: 'checkout.session', payment_status: 'unpaid', status: 'open', ...session } },
  });
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret: opts.secret ?? STRIPE_WEBHOOK_SECRET,
    timestamp,
  });
  return { id, body, signature };
}

/** Posts an event to Parley's webhook, as Stripe does. */
export const postStripeEvent = (
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  event: { body: string; signature: string },
) =>
  app.request('/webhooks/stripe', {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': event.signature },
    body: event.body,
  });
