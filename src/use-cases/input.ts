import { z } from 'zod';
import { AppError } from '../domain/errors.ts';

/** Input schemas and parsing shared by the use-cases: message content, attachments, templates. */

export const attachmentSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(['image', 'document', 'audio', 'video', 'sticker', 'location', 'contact', 'file']),
  name: z.string().optional(),
  mimeType: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  storageKey: z.string().optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  caption: z.string().optional(),
  providerRef: z.string().optional(),
  status: z.enum(['pending', 'stored', 'failed']).optional(),
  failureReason: z.string().optional(),
});

/** Where a user wrote a message on a chat surface (see MessageSource in timeline.ts). */
export const sourceSchema = z.object({
  key: z.string().min(1).max(255),
  origin: z.object({ surface: z.string().min(1), ref: z.record(z.string(), z.unknown()) }),
});

export const templateSchema = z.object({
  name: z.string().min(1),
  language: z.string().min(2),
  parameters: z.array(z.string()).default([]),
});

/** One validation problem, with the path written the way a person reads it: `users[2].email`. */
export interface InputIssue {
  path: string;
  message: string;
}

export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out;
}

export const toInputIssues = (error: z.core.$ZodError): InputIssue[] =>
  error.issues.map((i) => ({ path: formatIssuePath(i.path), message: i.message }));

/** `users[2].email: Invalid email address; groups[0].name: Too small` — for a CLI line or an error message. */
export const describeIssues = (issues: readonly InputIssue[]): string =>
  issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');

export function validationError(issues: InputIssue[], lead = 'The input is not valid'): AppError {
  return new AppError('validation_failed', `${lead}: ${describeIssues(issues)}`, { issues });
}

/**
 * Strings as PostgreSQL can keep them: text and jsonb refuse a NUL character, and jsonb refuses an
 * unpaired surrogate. Input from outside (a customer's message, a webhook, an admin's call) loses
 * its NULs and gets U+FFFD for a broken pair, instead of failing the request with a 500. Walks
 * arrays and plain objects; any other value is returned as it is.
 */
export function storable<T>(value: T): T {
  if (typeof value === 'string') {
    return (
      value.includes('\u0000') || !value.isWellFormed()
        ? value.replaceAll('\u0000', '').toWellFormed()
        : value
    ) as T;
  }
  if (Array.isArray(value)) return value.map(storable) as T;
  const proto = value && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (proto === Object.prototype || proto === null) {
    return Object.fromEntries(
      Object.entries(value as object).map(([k, v]) => [storable(k), storable(v)]),
    ) as T;
  }
  return value;
}

/** Parses input with a zod schema; a refusal is an AppError naming every field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(storable(input));
  if (!result.success) throw validationError(toInputIssues(result.error));
  return result.data;
}

/** Text that is only whitespace counts as no text. */
export const hasText = (text: string | null | undefined): text is string => !!text && text.trim().length > 0;
