import { createRoute, z } from '@hono/zod-openapi';
import { listAuditEvents } from '../../queries/audit-events.ts';
import { strictObject } from '../../setup/strict-object.ts';
import { toViewer } from '../../use-cases/load.ts';
import { actingUserHeaders, pageOf } from './conversation-views.ts';
import { actingUser } from './conversations.routes.ts';
import { adminRouter, errors, json } from './openapi.ts';

const auditEvent = z
  .object({
    id: z.uuid(),
    actorType: z.enum(['user', 'system', 'ai', 'provider', 'contact']),
    actorUserId: z.uuid().nullable(),
    action: z.string().openapi({ example: 'conversation.closed' }),
    conversationId: z.uuid().nullable(),
    conversationNumber: z.number().int().nullable(),
    data: z.record(z.string(), z.unknown()),
    createdAt: z.iso.datetime(),
  })
  .openapi('AuditEvent');

const auditQuery = strictObject({
  conversationId: z.uuid().optional(),
  userId: z.uuid().optional().openapi({ description: 'Only what this user did.' }),
  action: z.string().max(100).optional().openapi({
    description: 'An action (conversation.closed), or a prefix ending with a dot (conversation.).',
  }),
  since: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'From this time on (inclusive).' }),
  until: z.iso.datetime({ offset: true }).optional().openapi({ description: 'Before this time.' }),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});

export const auditEventRoutes = () =>
  adminRouter().openapi(
    createRoute({
      method: 'get',
      path: '/audit-events',
      operationId: 'listAuditEvents',
      tags: ['Audit'],
      summary: 'List the audit trail',
      description:
        'Who did what, newest first. Events about a conversation are listed only when the acting user ' +
        'may see it (R17; a deleted one to its group’s admins); events about the workspace itself ' +
        '(setup, contacts, broadcasts) only to admins.',
      request: { headers: actingUserHeaders, query: auditQuery },
      responses: { 200: json(pageOf(auditEvent), 'A page of events.'), ...errors(400, 403, 422) },
    }),
    async (c) => {
      const user = await actingUser(c, c.req.valid('header')['x-parley-user']);
      const page = await listAuditEvents(c.get('em'), toViewer(user), c.req.valid('query'));
      return c.json(
        {
          items: page.items.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
          nextCursor: page.nextCursor,
        },
        200,
      );
    },
  );
