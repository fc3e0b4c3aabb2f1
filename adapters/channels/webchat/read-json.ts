import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError } from '../../../src/domain/errors.ts';
import { parseInput } from '../../../src/use-cases/input.ts';

/** The JSON body, or a 400 that says what is wrong with it. */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new AppError('bad_request', 'The request body must be JSON (Content-Type: application/json).');
  }
  return parseInput(schema, body);
}
