import { createRoute, z } from '@hono/zod-openapi';
import type { EntityManager } from '@mikro-orm/postgresql';
import { userActor } from '../../domain/actor.ts';
import { strictObject } from '../../setup/strict-object.ts';
import { setContactDefaults } from '../../use-cases/contact-defaults.ts';
import { actingUserHeaders } from './conversation-views.ts';
import { actingUser } from './conversations.routes.ts';
import { adminRouter, errors, json, jsonBody } from './openapi.ts';

/**
 * R16/R19 through the API, as a named user: a contact's default assignees and visibility for its
 * next conversations, checked as the user's own change (R33: their groups; R34: a confidential
 * contact's defaults only by someone on its list or an admin). `PATCH /contacts/{id}` stays the
 * setup path, with the admin token alone.
 */
const defaultsBody = strictObject({
  defaultAssigneeIds: z
    .array(z.uuid())
    .max(50)
    .openapi({ description: 'Assigned to each new conversation.' }),
  defaultVisibleToIds: z.array(z.uuid()).max(200).nullable().openapi({
    description: 'Who may see its new conversations (the caller is always added); null: the whole group.',
  }),
}).openapi('ContactDefaults');

const defaultsView = z
  .object({
    contactId: z.uuid(),
    defaultAssigneeIds: z.array(z.uuid()),
    defaultVisibleToIds: z.array(z.uuid()).nullable(),
  })
  .openapi('ContactDefaultsResult');

export const contactDefaultsRoutes = () =>
  adminRouter().openapi(
    createRoute({
      method: 'put',
      path: '/contacts/{id}/defaults',
      operationId: 'setContactDefaults',
      tags: ['Contacts'],
      summary: 'Set a contact’s default assignees and visibility, as a named user',
      request: {
        headers: actingUserHeaders,
        params: z.object({ id: z.uuid() }),
        body: jsonBody(defaultsBody),
      },
      responses: { 200: json(defaultsView, 'The contact’s defaults now.'), ...errors(403, 404, 422) },
    }),
    async (c) => {
      const user = await actingUser(c, c.req.valid('header')['x-parley-user']);
      const ctx = { em: c.get('em').fork() as EntityManager, dispatch: c.get('dispatch') };
      const { contact } = await setContactDefaults(ctx, userActor(user.id), {
        contactId: c.req.valid('param').id,
        ...c.req.valid('json'),
      });
      return c.json(
        {
          contactId: contact.id,
          defaultAssigneeIds: [...contact.defaultAssigneeIds],
          defaultVisibleToIds: contact.defaultVisibleToIds ? [...contact.defaultVisibleToIds] : null,
        },
        200,
      );
    },
  );
