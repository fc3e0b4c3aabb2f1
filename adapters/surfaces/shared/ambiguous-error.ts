import { SurfaceRetryLater } from '../../../src/ports/agent-surface.ts';

/**
 * A platform call that got no answer (timeout, connection reset, 5xx) after the request may have
 * reached the platform: it may have been carried out. It is a SurfaceRetryLater, so callers that
 * need not care just retry; posting (post-in-order.ts) keeps the post pending and looks for it on
 * the next run instead of posting it again. Each surface's client throws its own subclass.
 */
export class SurfaceAmbiguousError extends SurfaceRetryLater {
  constructor(message: string, retryAfterMs: number) {
    super(message, retryAfterMs);
    this.name = 'SurfaceAmbiguousError';
  }
}
