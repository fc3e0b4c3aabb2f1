import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The ids every log line of one piece of work carries (logger.ts reads them), so that one grep
 * for a message id follows it from its webhook through its jobs to the vendor calls they make.
 */
export interface LogContext {
  messageId?: string;
  /** The messages one vendor call carries (a Slack or Teams post may combine several). */
  messageIds?: string[];
  conversationId?: string;
  queue?: string;
  jobId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `fields` added to the current context (an inner context never changes the outer). */
export function withLogContext<T>(fields: LogContext, fn: () => T): T {
  const outer = storage.getStore();
  return storage.run(outer ? { ...outer, ...fields } : { ...fields }, fn);
}

/**
 * Adds ids learnt along the way (a webhook's message once it is committed, a job's conversation
 * once its row is loaded) to the current context: the lines logged after it carry them. Outside
 * any context (a script, a test calling a use-case directly) it does nothing.
 */
export function addToLogContext(fields: LogContext): void {
  const current = storage.getStore();
  if (!current) return;
  for (const [key, value] of Object.entries(fields))
    if (value !== undefined) (current as Record<string, unknown>)[key] = value;
}

/** The current context's ids, a copy (pino merges the line's own fields into what this returns). */
export function currentLogContext(): LogContext {
  const current = storage.getStore();
  return current ? { ...current } : {};
}
