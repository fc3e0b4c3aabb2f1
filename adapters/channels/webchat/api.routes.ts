import type { EntityManager } from '@mikro-orm/postgresql';
import { Hono } from 'hono';
import { z } from 'zod';
import { Conversation, Message } from '../../../src/db/entities/index.ts';
import { channelCapabilities } from '../../../src/domain/channels.ts';
import { AppError } from '../../../src/domain/errors.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import { addToLogContext } from '../../../src/log-context.ts';
import type { WebhookDeps } from '../../../src/ports/adapter-module.ts';
import { parseInput } from '../../../src/use-cases/input.ts';
import { receiveInbound } from '../../../src/use-cases/receive-inbound.ts';
import { updateDelivery } from '../../../src/use-cases/update-delivery.ts';
import { clientIp } from './client-ip.ts';
import { csatRoute } from './csat.route.ts';
import { readJson } from './read-json.ts';
import { authenticate } from './sessions.ts';
import { uploadsOf } from './uploads.ts';
import { currentConversation, eventId, receiptsOf, transcriptAfter } from './view.ts';
import type { WebchatRuntime } from './webchat.channel.ts';

const messageBody = z
  .object({
    text: z.string().max(channelCapabilities.webchat.maxTextLength).optional(),
    attachmentIds: z.array(z.uuid()).max(10).optional(),
    /** The widget's own id for the message: a retried POST with the same id is one message. */
    clientMessageId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, - and _ (at most 100)'),
  })
  .refine((m) => !!m.text?.trim() || (m.attachmentIds?.length ?? 0) > 0, 'A message needs text or a file.');

const ackBody = z.object({
  conversationId: z.uuid(),
  seq: z.number().int().min(1),
  state: z.enum(['delivered', 'read']),
});

/** Messages, history and read receipts of the widget. */
export function apiRoutes(runtime: WebchatRuntime, deps: WebhookDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { policy } = runtime;

  app.post('/webchat/api/messages', async (c) => {
    const em = c.get('em');
    await policy.limits.count('messages', 'ip', clientIp(c, policy.trustProxyHops));
    const { session } = await authenticate(c, policy);
    const body = await readJson(c, messageBody);
    await policy.limits.count('messages', 'widget', session.endpoint.address);
    const attachments = await uploadsOf(em, session.id, body.attachmentIds ?? [], policy.uploadMaxAgeMs);
    const result = await receiveInbound(
      deps.context(),
      { kind: 'contact' },
      {
        channel: 'webchat',
        endpointAddress: session.endpoint.address,
        from: {
          address: session.address,
          identified: session.identified,
          name: session.profile?.name,
          portalProfile: session.profile ?? undefined,
        },
        provider: 'webchat',
        providerMessageId: `${session.id}:${body.clientMessageId}`,
        text: body.text?.trim() ? body.text : undefined,
        attachments,
      },
    );
    addToLogContext({ messageId: result.messageId, conversationId: result.conversationId });
    // The visitor's other tabs (and this one's stream) show it; a lost wake-up is caught up later.
    await runtime.hub
      .publish(runtime.channelOf(session.endpoint.address, session.address))
      .catch((err) => deps.logger.warn({ err }, 'webchat live publish failed'));
    return c.json(
      { messageId: result.messageId, conversationId: result.conversationId, duplicate: result.duplicate },
      result.duplicate ? 200 : 201,
    );
  });

  app.get('/webchat/api/history', async (c) => {
    const em = c.get('em');
    const { session } = await authenticate(c, policy);
    const after = parseInput(z.coerce.number().int().min(0).default(0), c.req.query('after'));
    const current = await currentConversation(em, session);
    if (!current) return c.json({ conversationId: null, messages: [], lastEventId: null, receipts: null });
    const messages = await transcriptAfter(em, current.conversationId, current.contactId, after);
    const last = messages.at(-1);
    return c.json({
      conversationId: current.conversationId,
      messages,
      lastEventId: last ? eventId(last) : `${current.conversationId}:${after}`,
      receipts: await receiptsOf(em, current.conversationId),
    });
  });

  /** The widget showed (delivered) or the visitor saw (read) the agent's messages up to `seq`. */
  app.post('/webchat/api/ack', async (c) => {
    const em = c.get('em');
    const { session } = await authenticate(c, policy);
    const body = await readJson(c, ackBody);
    const current = await currentConversation(em, session);
    // Only the visitor's own conversations with this widget's group (never another group's, R17).
    const conv = current
      ? await em.findOne(Conversation, {
          id: body.conversationId,
          contact: current.contactId,
          group: session.endpoint.group,
        })
      : null;
    if (!conv) throw new AppError('not_found', 'That conversation is not this visitor’s.');
    const updated = await acknowledge(em, deps, conv, body);
    return c.json({ updated });
  });

  app.route('/', csatRoute(runtime, deps));
  return app;
}

/** Moves the agent's messages up to `seq` to the acknowledged state; never backwards. */
async function acknowledge(
  em: EntityManager,
  deps: WebhookDeps,
  conv: Conversation,
  body: z.output<typeof ackBody>,
): Promise<number> {
  type State = 'queued' | 'sending' | 'sent' | 'delivered';
  const behind: State[] = [
    'queued',
    'sending',
    'sent',
    ...(body.state === 'read' ? (['delivered'] as const) : []),
  ];
  const due = await em.find(
    Message,
    {
      conversation: conv,
      seq: { $lte: body.seq },
      channel: 'webchat',
      kind: { $in: ['reply', 'ai', 'auto_response'] },
      deliveryState: { $in: behind },
    },
    { orderBy: { seq: 'desc' }, limit: 100, fields: ['id'] },
  );
  const actor = { kind: 'provider', channel: 'webchat' } as const;
  for (const m of due) await updateDelivery(deps.context(), actor, { messageId: m.id, state: body.state });
  return due.length;
}
