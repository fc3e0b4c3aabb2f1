import { createRoute, z } from '@hono/zod-openapi';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from 'hono';
import { Conversation, type User } from '../../db/entities/index.ts';
import { userActor } from '../../domain/actor.ts';
import { AppError } from '../../domain/errors.ts';
import { strictObject } from '../../setup/strict-object.ts';
import { addNote } from '../../use-cases/add-note.ts';
import { assignConversation } from '../../use-cases/assign-conversation.ts';
import { closeConversation } from '../../use-cases/close-conversation.ts';
import type { UseCaseContext } from '../../use-cases/context.ts';
import { templateSchema } from '../../use-cases/input.ts';
import { reopenConversation } from '../../use-cases/reopen-conversation.ts';
import { sendReply } from '../../use-cases/send-reply.ts';
import type { AppEnv } from '../env.ts';
import { actingUserHeaders, conversationParams } from './conversation-views.ts';
import { actingUser, toRef } from './conversations.routes.ts';
import { adminRouter, errors, json, jsonBody } from './openapi.ts';

const tags = ['Conversations'];

/**
 * R30/R33 through the API: each action is the use-case the Slack and Teams commands call, run as
 * the user named in X-Parley-User, so it is checked against that user's role, groups and
 * visibility exactly as their command would be, and refused with the same error.
 */

const replyBody = strictObject({
  text: z.string().max(20_000).optional(),
  template: strictObject(templateSchema.shape)
    .optional()
    .openapi({ description: 'A WhatsApp template (R7), outside the 24-hour window.' }),
  channel: z.string().min(1).max(32).optional().openapi({
    description: 'Another channel the contact has (R3); the channel of their latest message by default.',
  }),
}).openapi('ReplyCreate');

const noteBody = strictObject({ text: z.string().min(1).max(20_000) }).openapi('NoteCreate');

const assignBody = strictObject({
  assigneeIds: z.array(z.uuid()).max(50).openapi({
    description: 'The full new list (R15): it replaces the assignees, so it transfers; [] unassigns.',
  }),
}).openapi('AssignConversation');

const replyView = z
  .object({
    conversationId: z
      .uuid()
      .openapi({ description: 'Where the reply went: another conversation after a close (R22).' }),
    conversationNumber: z.number().int(),
    messageId: z.uuid(),
    channel: z.string(),
    redirectedFrom: z.uuid().nullable(),
    openedConversation: z.boolean(),
    notice: z.string().nullable(),
  })
  .openapi('ReplyResult');

const noteView = z.object({ conversationId: z.uuid(), messageId: z.uuid() }).openapi('NoteResult');

const stateView = z
  .object({
    id: z.uuid(),
    number: z.number().int(),
    status: z.enum(['open', 'closed']),
    assigneeIds: z.array(z.uuid()),
    restricted: z.boolean(),
    changed: z.boolean().openapi({ description: 'False when it already was so (nothing written).' }),
  })
  .openapi('ConversationState');

const stateOf = (conv: Conversation, changed: boolean) => ({
  id: conv.id,
  number: conv.number,
  status: conv.status === 'closed' ? ('closed' as const) : ('open' as const),
  assigneeIds: [...conv.assigneeIds],
  restricted: conv.visibleToIds != null,
  changed,
});

interface Acting {
  user: User;
  ctx: UseCaseContext;
  conversationId: string;
}

/**
 * The acting user and the conversation's id. A number is looked up in the user's account; the
 * use-case then checks group membership and visibility (404 outside the groups, 403 restricted).
 */
async function acting(c: Context<AppEnv>, header: string, id: string): Promise<Acting> {
  const em = c.get('em');
  const user = await actingUser(c, header);
  const ref = toRef(id);
  let conversationId: string;
  if ('number' in ref) {
    const conv = await em.findOne(
      Conversation,
      { account: user.account.id, number: ref.number, status: { $ne: 'deleted' } },
      { fields: ['id'] },
    );
    if (!conv) throw new AppError('not_found', `There is no conversation #${ref.number} you can see.`);
    conversationId = conv.id;
  } else conversationId = ref.id;
  // The use-case's own transaction never meets an entity this lookup loaded.
  return { user, ctx: { em: em.fork() as EntityManager, dispatch: c.get('dispatch') }, conversationId };
}

const action = (path: string, operationId: string, summary: string, description: string) => ({
  method: 'post' as const,
  path: `/conversations/{id}/${path}`,
  operationId,
  tags,
  summary,
  description,
});

export const conversationActionRoutes = () =>
  adminRouter()
    .openapi(
      createRoute({
        ...action(
          'replies',
          'replyToConversation',
          'Reply to the contact',
          'Queued for delivery on the conversation’s channel under every channel rule (R7); clears its ' +
            'unreplied messages (R11). A reply in a closed conversation opens a new one or joins the ' +
            'contact’s open one (R22): the answer says where it went.',
        ),
        request: { headers: actingUserHeaders, params: conversationParams, body: jsonBody(replyBody) },
        responses: { 201: json(replyView, 'The reply is queued.'), ...errors(403, 404, 409, 422) },
      }),
      async (c) => {
        const a = await acting(c, c.req.valid('header')['x-parley-user'], c.req.valid('param').id);
        const body = c.req.valid('json');
        const sent = await sendReply(a.ctx, userActor(a.user.id), {
          conversationId: a.conversationId,
          ...(body.text !== undefined ? { text: body.text } : {}),
          ...(body.template ? { template: body.template } : {}),
          ...(body.channel ? { channel: body.channel } : {}),
        });
        return c.json(
          {
            conversationId: sent.conversationId,
            conversationNumber: sent.conversationNumber,
            messageId: sent.messageId,
            channel: sent.channel,
            redirectedFrom: sent.redirectedFrom,
            openedConversation: sent.openedConversation,
            notice: sent.notice,
          },
          201,
        );
      },
    )
    .openapi(
      createRoute({
        ...action('notes', 'addNote', 'Add a private note', 'For the team only (R5): never delivered.'),
        request: { headers: actingUserHeaders, params: conversationParams, body: jsonBody(noteBody) },
        responses: { 201: json(noteView, 'The note.'), ...errors(403, 404, 422) },
      }),
      async (c) => {
        const a = await acting(c, c.req.valid('header')['x-parley-user'], c.req.valid('param').id);
        const note = await addNote(a.ctx, userActor(a.user.id), {
          conversationId: a.conversationId,
          text: c.req.valid('json').text,
        });
        return c.json({ conversationId: note.conversationId, messageId: note.messageId }, 201);
      },
    )
    .openapi(
      createRoute({
        ...action(
          'assign',
          'assignConversation',
          'Assign or unassign',
          'Sets the assignees (R15): users of the conversation’s group who may see it (R18).',
        ),
        request: { headers: actingUserHeaders, params: conversationParams, body: jsonBody(assignBody) },
        responses: { 200: json(stateView, 'The conversation now.'), ...errors(403, 404, 422) },
      }),
      async (c) => {
        const a = await acting(c, c.req.valid('header')['x-parley-user'], c.req.valid('param').id);
        const result = await assignConversation(a.ctx, userActor(a.user.id), {
          conversationId: a.conversationId,
          assigneeIds: c.req.valid('json').assigneeIds,
        });
        return c.json(stateOf(result.conversation, result.changed), 200);
      },
    )
    .openapi(
      createRoute({
        ...action(
          'close',
          'closeConversation',
          'Close',
          'Only an assignee or an admin (R20); refused while an invoice is unpaid, naming it (R21).',
        ),
        request: { headers: actingUserHeaders, params: conversationParams },
        responses: { 200: json(stateView, 'The conversation now.'), ...errors(403, 404, 409, 422) },
      }),
      async (c) => {
        const a = await acting(c, c.req.valid('header')['x-parley-user'], c.req.valid('param').id);
        const result = await closeConversation(a.ctx, userActor(a.user.id), {
          conversationId: a.conversationId,
        });
        return c.json(stateOf(result.conversation, true), 200);
      },
    )
    .openapi(
      createRoute({
        ...action(
          'reopen',
          'reopenConversation',
          'Reopen',
          'Later messages join it again (R23); refused while the contact has another open conversation in the group.',
        ),
        request: { headers: actingUserHeaders, params: conversationParams },
        responses: { 200: json(stateView, 'The conversation now.'), ...errors(403, 404, 409, 422) },
      }),
      async (c) => {
        const a = await acting(c, c.req.valid('header')['x-parley-user'], c.req.valid('param').id);
        const result = await reopenConversation(a.ctx, userActor(a.user.id), {
          conversationId: a.conversationId,
        });
        return c.json(stateOf(result.conversation, true), 200);
      },
    );
