import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'parley' },
    // Never log secrets that may ride along in objects we log.
    redact: ['*.authorization', '*.token', '*.secret', 'req.headers.authorization', 'req.headers.cookie'],
  });
}
