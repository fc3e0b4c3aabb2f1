import type { EntityManager } from '@mikro-orm/postgresql';
import type { Redis } from 'ioredis';
import type { Logger } from '../../../src/logger.ts';
import type { AgentSurface } from '../../../src/ports/agent-surface.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import type { UseCaseContext } from '../../../src/use-cases/context.ts';
import type { HostRule } from '../../guarded-download.ts';

/** A Slack Web API call (slack-api.ts); inbound handlers use it for notices, lookups and modals. */
export interface SlackCaller {
  call<T = Record<string, unknown>>(
    method: string,
    args: Record<string, unknown>,
    opts?: { channel?: string },
  ): Promise<T>;
}

/** What the inbound side (events, commands, buttons) works with. */
export interface SlackHandlerDeps {
  context: () => UseCaseContext;
  em: () => EntityManager;
  api: SlackCaller;
  storage: Storage;
  surface: AgentSurface;
  redis: Redis;
  prefix: string;
  logger: Logger;
  botToken: string;
  /** Where the bot token may go to download people's files (slackFileHosts). */
  fileHosts: readonly HostRule[];
}
