import { createRoute, z } from '@hono/zod-openapi';
import { csatReport } from '../../setup/csat-report.ts';
import { strictObject } from '../../setup/strict-object.ts';
import { adminRouter, errors, json } from './openapi.ts';

const figures = {
  asked: z.number().int().openapi({ description: 'Rating requests sent, answered or not.' }),
  answered: z.number().int(),
  skipped: z.number().int().openapi({ description: 'Not asked: opted out, WhatsApp window closed…' }),
  average: z.number().nullable().openapi({ description: 'Mean rating 1–5; null with no answer.' }),
  satisfiedPercent: z
    .number()
    .int()
    .nullable()
    .openapi({ description: 'Share of answers rated 4 or 5, in percent; null with no answer.' }),
};

const csatReportView = z
  .object({
    since: z.iso.datetime(),
    groups: z.array(
      z.object({
        groupId: z.uuid(),
        groupName: z.string(),
        ...figures,
        agents: z.array(z.object({ userId: z.uuid(), name: z.string(), ...figures })),
      }),
    ),
  })
  .openapi('CsatReport');

const csatQuery = strictObject({
  since: z.string().optional().openapi({
    description: 'Conversations closed from this date or time on; the last 30 days when left out.',
    example: '2026-12-01',
  }),
});

/** R42: the CSAT summary per group and agent. */
export const csatRoutes = () =>
  adminRouter().openapi(
    createRoute({
      method: 'get',
      path: '/csat',
      operationId: 'getCsatReport',
      tags: ['Reports'],
      summary: 'CSAT per group and agent',
      description:
        'Ratings (1–5) customers gave conversations closed since `since`, per group and per agent ' +
        '(whoever was assigned at close). Only groups with rating requests are listed.',
      request: { query: csatQuery },
      responses: { 200: json(csatReportView, 'The summary.'), ...errors(400, 422) },
    }),
    async (c) => c.json(await csatReport(c.get('em'), c.req.valid('query').since), 200),
  );
