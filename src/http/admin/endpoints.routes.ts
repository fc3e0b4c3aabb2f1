import { createRoute, z } from '@hono/zod-openapi';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listEndpoints,
  updateEndpoint,
} from '../../setup/endpoints.ts';
import { endpointCreateSchema, endpointPatchSchema } from '../../setup/schemas.ts';
import { strictObject } from '../../setup/strict-object.ts';
import { endpointView, toEndpointView } from '../../setup/views.ts';
import { adminRouter, errors, idParams, json, jsonBody, listOf, noContent } from './openapi.ts';

const Endpoint = endpointView.openapi('ChannelEndpoint');
const tags = ['Channel endpoints'];

export const endpointRoutes = () =>
  adminRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/endpoints',

        operationId: 'listEndpoints',
        tags,
        summary: 'List channel endpoints',
        request: { query: strictObject({ groupId: z.uuid().optional() }) },
        responses: { 200: json(listOf(Endpoint), 'The endpoints, by channel and address.'), ...errors(422) },
      }),
      async (c) =>
        c.json({ items: (await listEndpoints(c.get('em'), c.req.valid('query'))).map(toEndpointView) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/endpoints',

        operationId: 'createEndpoint',
        tags,
        summary: 'Create a channel endpoint',
        description:
          'A WhatsApp number id, SMS number or webchat widget key owned by a group (R2). Channel + address is unique.',
        request: { body: jsonBody(endpointCreateSchema.openapi('ChannelEndpointCreate')) },
        responses: { 201: json(Endpoint, 'The new endpoint.'), ...errors(404, 409, 422) },
      }),
      async (c) => c.json(toEndpointView(await createEndpoint(c.get('em'), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/endpoints/{id}',

        operationId: 'getEndpoint',
        tags,
        summary: 'Get a channel endpoint',
        request: { params: idParams },
        responses: { 200: json(Endpoint, 'The endpoint.'), ...errors(404, 422) },
      }),
      async (c) => c.json(toEndpointView(await getEndpoint(c.get('em'), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/endpoints/{id}',

        operationId: 'updateEndpoint',
        tags,
        summary: 'Update a channel endpoint',
        description:
          'Rename it, replace its settings, or move it to another group (new conversations go there).',
        request: { params: idParams, body: jsonBody(endpointPatchSchema.openapi('ChannelEndpointUpdate')) },
        responses: { 200: json(Endpoint, 'The updated endpoint.'), ...errors(404, 422) },
      }),
      async (c) => {
        const endpoint = await updateEndpoint(c.get('em'), c.req.valid('param').id, c.req.valid('json'));
        return c.json(toEndpointView(endpoint), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/endpoints/{id}',

        operationId: 'deleteEndpoint',
        tags,
        summary: 'Delete a channel endpoint',
        description: 'Refused (409) once conversations came in on it: rename or move it instead.',
        request: { params: idParams },
        responses: { 204: noContent, ...errors(404, 409, 422) },
      }),
      async (c) => {
        await deleteEndpoint(c.get('em'), c.req.valid('param').id);
        return c.body(null, 204);
      },
    );
