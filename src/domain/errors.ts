/**
 * The one error type Parley raises on purpose. The set of codes is closed: HTTP maps each to a
 * status in one place (http/on-error.ts); Slack and Teams turn the same errors into a private
 * message the user can act on.
 */
export const errorCodes = {
  bad_request: 400,
  validation_failed: 422,
  unauthenticated: 401,
  signature_invalid: 401,
  forbidden: 403,
  not_linked: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  /** Too many requests: `details.retryAfterSeconds` becomes the Retry-After header. */
  rate_limited: 429,
  rule_violation: 422,
  channel_refused: 422,
  not_configured: 503,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class AppError extends Error {
  readonly code: ErrorCode;
  /** Machine-readable details (the SPEC rule refused, the invoice blocking a close...). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return errorCodes[this.code];
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
