import { OpenAPIHono, z } from '@hono/zod-openapi';
import { errorCodes } from '../../domain/errors.ts';
import type { AppEnv } from '../env.ts';

/** Building blocks shared by the admin routes and their OpenAPI document. */

/** Every admin router: validation failures are thrown to the app's onError (422 validation_failed). */
export const adminRouter = () =>
  new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw result.error;
    },
  });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(errorCodes) as [keyof typeof errorCodes, ...(keyof typeof errorCodes)[]]),
      message: z.string().openapi({ description: 'What went wrong and what to do about it.' }),
      requestId: z.string().optional(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .openapi('Error');

const errorDescriptions = {
  400: 'The request is malformed (a page cursor that is no longer valid, JSON that does not parse).',
  401: 'Missing or wrong admin token.',
  403: 'The acting user (X-Parley-User) may not do this: role, group membership or visibility (R33).',
  404: 'No such record.',
  409: 'Clashes with an existing record (a unique name, email, id or address), or the record is still in use.',
  422: 'The input is not valid, or a product rule refuses it.',
} as const;

/** The error responses a route can give, for the document. 503 (token not configured) applies to all. */
export function errors<S extends keyof typeof errorDescriptions>(...statuses: S[]) {
  const all = [401, ...statuses] as (keyof typeof errorDescriptions)[];
  return Object.fromEntries(
    all.map((s) => [
      s,
      { description: errorDescriptions[s], content: { 'application/json': { schema: errorSchema } } },
    ]),
  ) as Record<
    S | 401,
    { description: string; content: { 'application/json': { schema: typeof errorSchema } } }
  >;
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const idParams = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const noContent = { description: 'Done; nothing to return.' };
