import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { AiModelError } from '../../../src/ports/ai-model.ts';
import { retryAfterMs } from '../../vendor-http.ts';

/** Statuses worth another try: busy, overloaded, timed out or in a conflicting state for a moment. */
const retryableStatus = (status: number) =>
  status === 408 || status === 409 || status === 429 || status >= 500;

/** How long the API asked us to wait: `retry-after-ms` (OpenAI's own), else `Retry-After` (seconds or a date). */
function waitAsked(headers: Headers | undefined): number | null {
  const ms = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  return retryAfterMs(headers?.get('retry-after') ?? null) ?? null;
}

/**
 * The API's own words, without credentials: OpenAI echoes a masked key ("sk-ab***wxyz") in a
 * 401's message, and a gateway might echo it whole; logs and the thread must show neither.
 */
export function withoutSecrets(message: string, apiKey: string): string {
  const noKey = apiKey ? message.split(apiKey).join('[redacted]') : message;
  return noKey.replace(/[\w-]*\*{3,}[\w-]*|\bsk-[\w-]+/g, '[redacted]');
}

/** Any failure of a call, as the port's error: retryable or not, with the wait the API asked for. */
export function toAiModelError(err: unknown, apiKey: string, timeoutMs: number): AiModelError {
  if (err instanceof AiModelError) return err;
  if (err instanceof APIConnectionTimeoutError)
    return new AiModelError(`the model did not answer within ${timeoutMs} ms`, { retryable: true });
  if (err instanceof APIConnectionError) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return new AiModelError(withoutSecrets(`could not reach the model API${cause}`, apiKey), {
      retryable: true,
    });
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const said = (err.error as { message?: unknown } | undefined)?.message;
    const detail = withoutSecrets(typeof said === 'string' && said ? said : 'no message', apiKey);
    if (retryableStatus(err.status))
      return new AiModelError(`OpenAI could not answer now (${err.status}): ${detail}`, {
        retryable: true,
        retryAfterMs: waitAsked(err.headers),
      });
    return new AiModelError(`OpenAI refused the request (${err.status}): ${detail}`, { retryable: false });
  }
  // Something else (an answer that is not JSON, from a proxy in between): the job's next try may fare better.
  const message = err instanceof Error ? err.message : String(err);
  return new AiModelError(withoutSecrets(`the model call failed: ${message}`, apiKey), { retryable: true });
}
