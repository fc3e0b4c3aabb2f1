import type { ILogger, ILoggerOptions, LogLevel } from '@microsoft/teams.common';
import type { Logger } from '../../../src/logger.ts';

/**
 * The Teams SDK's logger, written to our pino log under `teamsSdk: <its logger name>`. The SDK
 * logs every refused token as an error; refused requests are not Parley's failures (they are
 * answered 401), and a handler that fails is logged by teams-app.ts with its context, so the
 * SDK's errors are kept as warnings. Its info lines are chatter: debug.
 */
export function sdkLogger(logger: Logger, name = 'teams'): ILogger {
  const log = logger.child({ teamsSdk: name });
  const write = (level: 'warn' | 'debug' | 'trace', args: unknown[]) => {
    if (!log.isLevelEnabled(level)) return;
    const err = args.find((a): a is Error => a instanceof Error);
    const text = args
      .filter((a) => a !== err)
      .map((a) => (typeof a === 'string' ? a : safeJson(a)))
      .join(' ');
    if (err) log[level]({ err }, text);
    else log[level](text);
  };
  const self: ILogger = {
    error: (...msg) => write('warn', msg),
    warn: (...msg) => write('warn', msg),
    info: (...msg) => write('debug', msg),
    debug: (...msg) => write('debug', msg),
    trace: (...msg) => write('trace', msg),
    log: (level: LogLevel, ...msg) => self[level](...msg),
    child: (child: string, _overrides?: ILoggerOptions) => sdkLogger(logger, `${name}/${child}`),
  };
  return self;
}

/** The SDK logs whole activities at debug; a value that cannot be serialised is named, not thrown. */
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
