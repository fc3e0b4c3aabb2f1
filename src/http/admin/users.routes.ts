import { createRoute, z } from '@hono/zod-openapi';
import { adminApiActor } from '../../setup/actor.ts';
import { userCreateSchema, userPatchSchema } from '../../setup/schemas.ts';
import { strictObject } from '../../setup/strict-object.ts';
import { createUser, getUser, listUsers, updateUser } from '../../setup/users.ts';
import { toUserView, userView } from '../../setup/views.ts';
import { adminRouter, errors, idParams, json, jsonBody, listOf } from './openapi.ts';

const User = userView.openapi('User');
const tags = ['Users'];

export const userRoutes = () =>
  adminRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/users',

        operationId: 'listUsers',
        tags,
        summary: 'List users',
        request: { query: strictObject({ groupId: z.uuid().optional() }) },
        responses: {
          200: json(listOf(User), 'The users, by email; only those of the group when groupId is given.'),
          ...errors(422),
        },
      }),
      async (c) =>
        c.json({ items: (await listUsers(c.get('em'), c.req.valid('query'))).map(toUserView) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/users',

        operationId: 'createUser',
        tags,
        summary: 'Create a user',
        description: 'Email, Slack user id and Teams user id are each unique (409 when taken).',
        request: { body: jsonBody(userCreateSchema.openapi('UserCreate')) },
        responses: { 201: json(User, 'The new user.'), ...errors(409, 422) },
      }),
      async (c) => c.json(toUserView(await createUser(c.get('em'), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/users/{id}',

        operationId: 'getUser',
        tags,
        summary: 'Get a user',
        request: { params: idParams },
        responses: { 200: json(User, 'The user.'), ...errors(404, 422) },
      }),
      async (c) => c.json(toUserView(await getUser(c.get('em'), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/users/{id}',

        operationId: 'updateUser',
        tags,
        summary: 'Update a user',
        description:
          'Change role, groups, Slack or Teams user id (null unlinks), name, email, or deactivate.',
        request: { params: idParams, body: jsonBody(userPatchSchema.openapi('UserUpdate')) },
        responses: { 200: json(User, 'The updated user.'), ...errors(404, 409, 422) },
      }),
      async (c) => {
        const user = await updateUser(
          c.get('em'),
          c.req.valid('param').id,
          c.req.valid('json'),
          adminApiActor,
          {
            dispatch: c.get('dispatch'),
          },
        );
        return c.json(toUserView(user), 200);
      },
    );
