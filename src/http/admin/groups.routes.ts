import { createRoute } from '@hono/zod-openapi';
import { createGroup, deleteGroup, getGroup, listGroups, updateGroup } from '../../setup/groups.ts';
import { groupCreateSchema, groupPatchSchema } from '../../setup/schemas.ts';
import { groupView, toGroupView } from '../../setup/views.ts';
import { adminRouter, errors, idParams, json, jsonBody, listOf, noContent } from './openapi.ts';

const Group = groupView.openapi('Group');
const tags = ['Groups'];

export const groupRoutes = () =>
  adminRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/groups',

        operationId: 'listGroups',
        tags,
        summary: 'List groups',
        responses: { 200: json(listOf(Group), 'The groups, by name.'), ...errors() },
      }),
      async (c) => c.json({ items: (await listGroups(c.get('em'))).map(toGroupView) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/groups',

        operationId: 'createGroup',
        tags,
        summary: 'Create a group',
        request: { body: jsonBody(groupCreateSchema.openapi('GroupCreate')) },
        responses: { 201: json(Group, 'The new group.'), ...errors(409, 422) },
      }),
      async (c) => c.json(toGroupView(await createGroup(c.get('em'), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/groups/{id}',

        operationId: 'getGroup',
        tags,
        summary: 'Get a group',
        request: { params: idParams },
        responses: { 200: json(Group, 'The group.'), ...errors(404, 422) },
      }),
      async (c) => c.json(toGroupView(await getGroup(c.get('em'), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/groups/{id}',

        operationId: 'updateGroup',
        tags,
        summary: 'Update a group',
        description:
          'Rename it, link its Slack channel or Teams team + channel (null unlinks), set its AI agent or digest schedule.',
        request: { params: idParams, body: jsonBody(groupPatchSchema.openapi('GroupUpdate')) },
        responses: { 200: json(Group, 'The updated group.'), ...errors(404, 409, 422) },
      }),
      async (c) => {
        const group = await updateGroup(c.get('em'), c.req.valid('param').id, c.req.valid('json'));
        return c.json(toGroupView(group), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/groups/{id}',

        operationId: 'deleteGroup',
        tags,
        summary: 'Delete an empty group',
        description: 'Refused (409) while users, channel endpoints or conversations belong to the group.',
        request: { params: idParams },
        responses: { 204: noContent, ...errors(404, 409, 422) },
      }),
      async (c) => {
        await deleteGroup(c.get('em'), c.req.valid('param').id);
        return c.body(null, 204);
      },
    );
