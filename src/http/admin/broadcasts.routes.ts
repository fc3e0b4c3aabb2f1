import { createRoute, z } from '@hono/zod-openapi';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from 'hono';
import { userActor } from '../../domain/actor.ts';
import { findActingUser } from '../../queries/acting-user.ts';
import { broadcastProgressFor } from '../../queries/broadcast-progress.ts';
import { strictObject } from '../../setup/strict-object.ts';
import { previewBroadcast } from '../../use-cases/broadcast-preview.ts';
import { createBroadcast } from '../../use-cases/create-broadcast.ts';
import { attachmentSchema, templateSchema } from '../../use-cases/input.ts';
import type { AppEnv } from '../env.ts';
import { actingUserHeaders } from './conversation-views.ts';
import { adminRouter, errors, idParams, json, jsonBody } from './openapi.ts';

const tags = ['Broadcasts'];

/**
 * R8 through the API: a broadcast is created, previewed and followed as the Parley user named in
 * X-Parley-User, through the same use-cases as the chat doors (R33: members of the group only).
 */
const broadcastBody = strictObject({
  groupId: z
    .uuid()
    .openapi({ description: 'The group the broadcast is sent in (the user must be a member).' }),
  endpointId: z
    .uuid()
    .openapi({ description: "One of the group's numbers or widgets: its channel is the broadcast's." }),
  text: z.string().max(20_000).optional(),
  template: strictObject(templateSchema.shape)
    .optional()
    .openapi({ description: 'A WhatsApp template: reaches contacts outside the 24-hour window (R7).' }),
  attachments: z.array(strictObject(attachmentSchema.shape)).max(10).optional(),
  target: z
    .union([
      strictObject({ tag: z.string().min(1).max(100) }),
      strictObject({ contactIds: z.array(z.uuid()).min(1).max(10_000) }),
    ])
    .openapi({ description: 'A tag (every contact carrying it) or a list of contact ids.' }),
}).openapi('BroadcastCreate');

const createdView = z
  .object({
    broadcastId: z.uuid(),
    total: z.number().int(),
    queued: z.number().int().openapi({ description: 'Waiting to be sent, in paced batches.' }),
    refused: z
      .number()
      .int()
      .openapi({ description: 'Left out by the channel rules (R7) or visibility (R17).' }),
  })
  .openapi('BroadcastCreated');

const previewView = z
  .object({
    total: z.number().int(),
    willReceive: z.number().int(),
    leftOut: z.array(z.object({ reason: z.string(), label: z.string(), count: z.number().int() })),
  })
  .openapi('BroadcastPreview');

const resultEnum = z.enum(['queued', 'sent', 'delivered', 'read', 'failed', 'refused', 'removed']);
const progressView = z
  .object({
    broadcastId: z.uuid(),
    state: z.enum(['sending', 'finished']),
    groupId: z.uuid(),
    endpointId: z.uuid(),
    channel: z.string(),
    createdById: z.uuid(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    target: z.object({ tag: z.string().optional(), contactIds: z.array(z.string()).optional() }),
    total: z.number().int(),
    queued: z
      .number()
      .int()
      .openapi({ description: 'Not sent yet (pending in the broadcast, or waiting for the channel).' }),
    pending: z.number().int(),
    sent: z.number().int(),
    delivered: z.number().int(),
    read: z.number().int(),
    failed: z.number().int(),
    refused: z.number().int(),
    removed: z.number().int(),
    reasons: z.array(
      z.object({
        result: z.enum(['refused', 'failed']),
        reason: z.string(),
        label: z.string(),
        count: z.number().int(),
      }),
    ),
    recipients: z.array(
      z.object({
        contactId: z.uuid(),
        result: resultEnum,
        reason: z.string().nullable(),
        messageId: z.uuid().nullable(),
      }),
    ),
  })
  .openapi('BroadcastProgress');

async function acting(c: Context<AppEnv>, header: string) {
  const em = c.get('em');
  const user = await findActingUser(em, header);
  return { user, ctx: { em: em.fork() as EntityManager, dispatch: c.get('dispatch') } };
}

export const broadcastRoutes = () =>
  adminRouter()
    .openapi(
      createRoute({
        method: 'post',
        path: '/broadcasts',
        operationId: 'createBroadcast',
        tags,
        summary: 'Send a broadcast',
        description:
          'One message to every contact with a tag, or to a list of contacts, each in their own ' +
          'conversation (R8). Answered at once; recipients are sent in batches paced by the number’s ' +
          'send rate. Follow it with GET /broadcasts/{id}.',
        request: { headers: actingUserHeaders, body: jsonBody(broadcastBody) },
        responses: {
          202: json(createdView, 'Accepted: the broadcast is being sent.'),
          ...errors(403, 404, 422),
        },
      }),
      async (c) => {
        const a = await acting(c, c.req.valid('header')['x-parley-user']);
        const res = await createBroadcast(a.ctx, userActor(a.user.id), c.req.valid('json'));
        return c.json(
          { broadcastId: res.broadcastId, total: res.total, queued: res.queued, refused: res.refused },
          202,
        );
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/broadcasts/preview',
        operationId: 'previewBroadcast',
        tags,
        summary: 'Preview a broadcast',
        description:
          'How many contacts would receive it and how many are left out, and why (opted out, ' +
          'outside WhatsApp’s 24-hour window, no address on the channel). Sends and writes nothing.',
        request: { headers: actingUserHeaders, body: jsonBody(broadcastBody) },
        responses: { 200: json(previewView, 'The preview.'), ...errors(403, 404, 422) },
      }),
      async (c) => {
        const a = await acting(c, c.req.valid('header')['x-parley-user']);
        return c.json(await previewBroadcast(a.ctx, userActor(a.user.id), c.req.valid('json')), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/broadcasts/{id}',
        operationId: 'getBroadcast',
        tags,
        summary: 'A broadcast’s progress',
        description:
          'Totals (queued, sent, delivered, failed, left out, with reasons) and each recipient’s result ' +
          'and reason. Only members of the broadcast’s group see it (R33).',
        request: { headers: actingUserHeaders, params: idParams },
        responses: { 200: json(progressView, 'The broadcast.'), ...errors(404, 422) },
      }),
      async (c) => {
        const a = await acting(c, c.req.valid('header')['x-parley-user']);
        return c.json(
          await broadcastProgressFor(a.ctx.em, userActor(a.user.id), c.req.valid('param').id),
          200,
        );
      },
    );
