import { type DestinationStream, type Logger, pino } from 'pino';
import { currentLogContext } from './log-context.ts';

export type { Logger };

/**
 * Parley's logger: JSON lines on stdout (or `destination`, for tests), each carrying the ids of
 * the work it belongs to (log-context.ts: messageId, conversationId, queue, jobId).
 */
export function createLogger(
  level: string = process.env.LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  const options = {
    level,
    base: { service: 'parley' },
    mixin: currentLogContext,
    // Never log secrets that may ride along in objects we log.
    redact: ['*.authorization', '*.token', '*.secret', 'req.headers.authorization', 'req.headers.cookie'],
  };
  return destination ? pino(options, destination) : pino(options);
}
