import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError, type ErrorCode } from '../domain/errors.ts';
import { toInputIssues } from '../use-cases/input.ts';

/** The one error shape every route answers with: `{ error: { code, message, requestId, details? } }`. */
export function errorResponse(c: Context, err: AppError): Response {
  const body = {
    error: {
      code: err.code,
      message: err.message,
      requestId: c.get('requestId') as string | undefined,
      ...(err.details ? { details: err.details } : {}),
    },
  };
  // A refusal for going too fast says when to come back, in the standard header too.
  const retryAfter = err.details?.retryAfterSeconds;
  if (err.code === 'rate_limited' && typeof retryAfter === 'number')
    c.header('Retry-After', String(retryAfter));
  return c.json(body, err.status as ContentfulStatusCode);
}

/** Hono's own exceptions (malformed JSON, wrong media type) speak in statuses; give them our codes. */
const byStatus: Partial<Record<number, ErrorCode>> = {
  400: 'bad_request',
  401: 'unauthenticated',
  404: 'not_found',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

const httpMessages: Partial<Record<ErrorCode, string>> = {
  bad_request: 'The request body is not valid JSON (or the request is malformed); fix it and send it again.',
  unsupported_media_type: 'Send the body as JSON with "Content-Type: application/json".',
};

export function toAppError(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  if (err instanceof z.core.$ZodError) {
    const issues = toInputIssues(err);
    const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
    return new AppError('validation_failed', `The request is not valid: ${summary}`, { issues });
  }
  if (err instanceof HTTPException) {
    const code = byStatus[err.status];
    if (code) return new AppError(code, httpMessages[code] ?? err.message);
  }
  return null;
}

export function onError(logger: Logger): ErrorHandler {
  return (err, c) => {
    const known = toAppError(err);
    if (known) return errorResponse(c, known);
    // Anything unexpected is logged in full and answered without a word of it.
    logger.error(
      { err, requestId: c.get('requestId'), method: c.req.method, path: c.req.path },
      'request failed',
    );
    return errorResponse(
      c,
      new AppError(
        'internal',
        'Something went wrong on our side; try again, and quote the request id if it persists.',
      ),
    );
  };
}

export const notFound: NotFoundHandler = (c) =>
  errorResponse(
    c,
    new AppError('not_found', `There is no ${c.req.method} ${c.req.path}; check the path and method.`),
  );
