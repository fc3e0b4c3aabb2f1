import { createRoute, z } from '@hono/zod-openapi';
import type { SavedReply as SavedReplyRow } from '../../db/entities/index.ts';
import {
  createSavedReply,
  deleteSavedReply,
  getSavedReply,
  listSavedReplies,
  savedReplyCreateSchema,
  savedReplyPatchSchema,
  updateSavedReply,
} from '../../setup/saved-replies.ts';
import { strictObject } from '../../setup/strict-object.ts';
import { PLACEHOLDERS } from '../../use-cases/saved-replies.ts';
import { adminRouter, errors, idParams, json, jsonBody, listOf, noContent } from './openapi.ts';

const SavedReply = z
  .object({
    id: z.uuid(),
    name: z.string(),
    text: z.string(),
    /** null: the team's. */
    ownerId: z.uuid().nullable(),
    ownerEmail: z.string().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('SavedReply');
const view = (r: SavedReplyRow) => ({
  id: r.id,
  name: r.name,
  text: r.text,
  ownerId: r.owner?.id ?? null,
  ownerEmail: r.owner?.email ?? null,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
});
const tags = ['Saved replies'];
const placeholders = `Placeholders filled in when sent: ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`;

/** R40: the team's saved replies and each user's own. */
export const savedReplyRoutes = () =>
  adminRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/saved-replies',
        operationId: 'listSavedReplies',
        tags,
        summary: 'List saved replies',
        request: { query: strictObject({ ownerId: z.uuid().optional() }) },
        responses: {
          200: json(
            listOf(SavedReply),
            'By name: the team’s and every user’s, or only one user’s with ownerId.',
          ),
          ...errors(422),
        },
      }),
      async (c) => {
        const { ownerId } = c.req.valid('query');
        const rows = await listSavedReplies(c.get('em'), ownerId ? { ownerId } : {});
        return c.json({ items: rows.map(view) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/saved-replies',
        operationId: 'createSavedReply',
        tags,
        summary: 'Create a saved reply',
        description: `The team's (no ownerId) or a user's own. Names are one word, unique per owner whatever their case (409). ${placeholders}`,
        request: { body: jsonBody(savedReplyCreateSchema.openapi('SavedReplyCreate')) },
        responses: { 201: json(SavedReply, 'The new saved reply.'), ...errors(404, 409, 422) },
      }),
      async (c) => c.json(view(await createSavedReply(c.get('em'), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/saved-replies/{id}',
        operationId: 'updateSavedReply',
        tags,
        summary: 'Rename a saved reply or change its text',
        description: placeholders,
        request: { params: idParams, body: jsonBody(savedReplyPatchSchema.openapi('SavedReplyUpdate')) },
        responses: { 200: json(SavedReply, 'The updated saved reply.'), ...errors(404, 409, 422) },
      }),
      async (c) =>
        c.json(view(await updateSavedReply(c.get('em'), c.req.valid('param').id, c.req.valid('json'))), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/saved-replies/{id}',
        operationId: 'getSavedReply',
        tags,
        summary: 'Get a saved reply',
        request: { params: idParams },
        responses: { 200: json(SavedReply, 'The saved reply.'), ...errors(404, 422) },
      }),
      async (c) => c.json(view(await getSavedReply(c.get('em'), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/saved-replies/{id}',
        operationId: 'deleteSavedReply',
        tags,
        summary: 'Delete a saved reply',
        request: { params: idParams },
        responses: { 204: noContent, ...errors(404, 422) },
      }),
      async (c) => {
        await deleteSavedReply(c.get('em'), c.req.valid('param').id);
        return c.body(null, 204);
      },
    );
