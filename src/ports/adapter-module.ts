import type { EntityManager } from '@mikro-orm/postgresql';
import type { Hono } from 'hono';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import type { Config } from '../config.ts';
import type { AppEnv } from '../http/env.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { VendorCalls } from '../metrics/vendor-calls.ts';
import type { InboundShortcut } from '../use-cases/append-inbound.ts';
import type { UseCaseContext } from '../use-cases/context.ts';
import type { StatusShortcut } from '../use-cases/update-deliveries-batch.ts';
import type { AgentSurface } from './agent-surface.ts';
import type { CustomerChannel } from './customer-channel.ts';
import type { Storage } from './storage.ts';

/** What a channel adapter gets to build itself. */
export interface AdapterDeps {
  redis: Redis;
  storage: Storage;
  logger: Logger;
  /** Where the adapter's vendor clients count their calls (the process's metrics); none: not counted. */
  vendorCalls?: VendorCalls;
}

/** What a channel's routes get to turn requests into committed use-case calls. */
export interface WebhookDeps {
  /** A use-case context with a fresh EntityManager fork and the job dispatcher. */
  context: () => UseCaseContext;
  config: Config;
  logger: Logger;
  /** The process's metrics (webhooks by outcome); none: not counted. */
  metrics?: Metrics;
  /** How a webhook's message is written first (the web process's group commit); none: alone. */
  appendInbound?: InboundShortcut;
  /** How a webhook's status callback is applied first (the group commit); none: alone. */
  updateDelivery?: StatusShortcut;
}

/** One row of the channel table in src/adapters.ts: adapters/channels/<name>/index.ts exports it. */
export interface ChannelAdapterModule {
  name: string;
  /** Builds the channel when its configuration is present; null means "not configured here". */
  create(config: Config, deps: AdapterDeps): CustomerChannel | null;
  /** Its HTTP routes (webhooks, widget), mounted on the app. */
  routes?(channel: CustomerChannel, deps: WebhookDeps & AdapterDeps): Hono<AppEnv>;
  /** What an admin may set for the channel, checked by every setup door (API, CLI, workspace file). */
  setup: ChannelSetupSchemas;
}

/** A channel's setup input, each schema from what an admin typed to what is stored. */
export interface ChannelSetupSchemas {
  /** An endpoint's `settings`: the keys the adapter reads, strict (a typo is refused, not ignored). */
  settings: z.ZodType;
  /** An endpoint's address (an SMS number, stored in E.164). */
  endpointAddress: z.ZodType<string, string>;
  /** A contact identity's address on the channel (a phone number, stored in E.164). */
  contactAddress: z.ZodType<string, string>;
}

/** What a chat surface adapter (Slack, Teams) gets to build itself. */
export interface SurfaceDeps extends AdapterDeps {
  config: Config;
  /** Redis key prefix of this deployment. */
  prefix: string;
  /** A fresh EntityManager fork, for reads. */
  em: () => EntityManager;
  /** A use-case context (fresh fork and the job dispatcher), for commands. */
  context: () => UseCaseContext;
}

/** A built chat surface: how it draws (the port), its inbound routes, and its periodic work. */
export interface BuiltSurface {
  surface: AgentSurface;
  routes?(): Hono<AppEnv>;
  /** Finds what the platform did not deliver as events (missed replies); run by the reconciler loop. */
  sweep?(): Promise<void>;
}

/** One row of the surface table in src/surfaces.ts: adapters/surfaces/<name>/index.ts exports it. */
export interface SurfaceAdapterModule {
  name: string;
  /** Builds the surface when its configuration is present; null means "not configured here". */
  create(config: Config, deps: SurfaceDeps): BuiltSurface | null;
}
