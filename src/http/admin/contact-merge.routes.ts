import { createRoute, z } from '@hono/zod-openapi';
import type { EntityManager } from '@mikro-orm/postgresql';
import { adminApiActor } from '../../setup/actor.ts';
import { strictObject } from '../../setup/strict-object.ts';
import { mergeContacts } from '../../use-cases/merge-contacts.ts';
import { adminRouter, errors, idParams, json, jsonBody } from './openapi.ts';

const MergeResult = z
  .object({
    keptId: z.uuid(),
    moved: z.number().int(),
    closed: z.array(
      z.object({ conversationId: z.uuid(), number: z.number().int(), continuesIn: z.number().int() }),
    ),
  })
  .openapi('ContactMergeResult');

/** R43: two contacts that are one person become one. */
export const contactMergeRoutes = () =>
  adminRouter().openapi(
    createRoute({
      method: 'post',
      path: '/contacts/{id}/merge',
      operationId: 'mergeContacts',
      tags: ['Contacts'],
      summary: 'Merge another contact into this one',
      description:
        'The other contact’s identities, conversations and broadcast history move here; tags, opt-outs and default assignees are combined, default visibility takes the narrower list. Where both have an open conversation in one group, the one with the latest message stays open and the other is closed (unless it has unpaid invoices; 409 when both have). The other contact is deleted; audited.',
      request: {
        params: idParams,
        body: jsonBody(strictObject({ mergeId: z.uuid() }).openapi('ContactMerge')),
      },
      responses: { 200: json(MergeResult, 'What moved and what was closed.'), ...errors(404, 409, 422) },
    }),
    async (c) => {
      const ctx = { em: c.get('em').fork() as EntityManager, dispatch: c.get('dispatch') };
      const { events: _events, ...result } = await mergeContacts(ctx, adminApiActor, {
        keepId: c.req.valid('param').id,
        mergeId: c.req.valid('json').mergeId,
      });
      return c.json(result, 200);
    },
  );
