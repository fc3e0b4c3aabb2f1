import { createRoute, z } from '@hono/zod-openapi';
import {
  type ContactRecord,
  createContact,
  deleteContact,
  getContact,
  listContacts,
  updateContact,
} from '../../setup/contacts.ts';
import { contactCreateSchema, contactFilterSchema, contactPatchSchema } from '../../setup/schemas.ts';
import { contactView, toContactView } from '../../setup/views.ts';
import { adminRouter, errors, idParams, json, jsonBody, noContent } from './openapi.ts';

const Contact = contactView.openapi('Contact');
const tags = ['Contacts'];
const view = (r: ContactRecord) => toContactView(r.contact, r.identities);

export const contactRoutes = () =>
  adminRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/contacts',

        operationId: 'listContacts',
        tags,
        summary: 'List contacts',
        description: 'Filter by a tag and/or part of the name; page with limit and offset.',
        request: { query: contactFilterSchema },
        responses: {
          200: json(
            z.object({ items: z.array(Contact), limit: z.number().int(), offset: z.number().int() }),
            'The contacts, by name.',
          ),
          ...errors(422),
        },
      }),
      async (c) => {
        const filter = c.req.valid('query');
        const items = (await listContacts(c.get('em'), filter)).map(view);
        return c.json({ items, limit: filter.limit, offset: filter.offset }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/contacts',

        operationId: 'createContact',
        tags,
        summary: 'Create a contact',
        description:
          'Identities are the addresses the contact writes from (R3); each belongs to one contact (409). ' +
          'Default assignees (R16) must be on the default visibility list when there is one (R18).',
        request: { body: jsonBody(contactCreateSchema.openapi('ContactCreate')) },
        responses: { 201: json(Contact, 'The new contact.'), ...errors(409, 422) },
      }),
      async (c) => c.json(view(await createContact(c.get('em'), c.req.valid('json'))), 201),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/contacts/{id}',

        operationId: 'getContact',
        tags,
        summary: 'Get a contact',
        request: { params: idParams },
        responses: { 200: json(Contact, 'The contact and its identities.'), ...errors(404, 422) },
      }),
      async (c) => c.json(view(await getContact(c.get('em'), c.req.valid('param').id)), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/contacts/{id}',

        operationId: 'updateContact',
        tags,
        summary: 'Update a contact',
        description: 'Name, tags, default assignees and visibility, portal profile, channels opted out of.',
        request: { params: idParams, body: jsonBody(contactPatchSchema.openapi('ContactUpdate')) },
        responses: { 200: json(Contact, 'The updated contact.'), ...errors(404, 409, 422) },
      }),
      async (c) =>
        c.json(view(await updateContact(c.get('em'), c.req.valid('param').id, c.req.valid('json'))), 200),
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/contacts/{id}',

        operationId: 'deleteContact',
        tags,
        summary: 'Delete a contact',
        description: 'Refused (409) when the contact has conversations.',
        request: { params: idParams },
        responses: { 204: noContent, ...errors(404, 409, 422) },
      }),
      async (c) => {
        await deleteContact(c.get('em'), c.req.valid('param').id);
        return c.body(null, 204);
      },
    );
