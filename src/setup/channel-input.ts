import type { z } from 'zod';
import { channelModules } from '../adapters.ts';
import type { ChannelSetupSchemas } from '../ports/adapter-module.ts';
import { type InputIssue, toInputIssues, validationError } from '../use-cases/input.ts';

/**
 * Addresses and endpoint settings are the channel's business: each adapter declares what it takes
 * (adapters/channels/<name>/setup-schemas.ts, a column of the channel table), and every setup door
 * (admin API, CLI, workspace file) checks them here against the record's channel.
 */

const setupByChannel = new Map<string, ChannelSetupSchemas>(channelModules.map((m) => [m.name, m.setup]));

interface EndpointInput {
  channel: string;
  address: string;
  settings?: Record<string, unknown> | undefined;
}
interface IdentityInput {
  channel: string;
  address: string;
}

type Ctx = z.RefinementCtx;

/** Reports what `schema` refuses in `value` under `path`; the parsed value when it passes. */
function check<T>(schema: z.ZodType<T>, value: unknown, path: PropertyKey[], ctx: Ctx): T | undefined {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  for (const issue of result.error.issues)
    ctx.addIssue({ code: 'custom', path: [...path, ...issue.path], message: issue.message });
  return undefined;
}

/** Adds the checks of the endpoint's channel to an endpoint schema, and stores its address normalised. */
export function withEndpointRules<S extends z.ZodType<EndpointInput>>(schema: S): S {
  return schema
    .superRefine((e, ctx) => {
      const setup = setupByChannel.get(e.channel);
      if (!setup) return;
      check(setup.endpointAddress, e.address, ['address'], ctx);
      if (e.settings !== undefined) check(setup.settings, e.settings, ['settings'], ctx);
    })
    .overwrite((e) => {
      const parsed = setupByChannel.get(e.channel)?.endpointAddress.safeParse(e.address);
      return parsed?.success ? { ...e, address: parsed.data } : e;
    });
}

/** Adds the checks of the identity's channel to an identity schema, and stores its address normalised. */
export function withIdentityRules<S extends z.ZodType<IdentityInput>>(schema: S): S {
  return schema
    .superRefine((i, ctx) => {
      const setup = setupByChannel.get(i.channel);
      if (setup) check(setup.contactAddress, i.address, ['address'], ctx);
    })
    .overwrite((i) => {
      const parsed = setupByChannel.get(i.channel)?.contactAddress.safeParse(i.address);
      return parsed?.success ? { ...i, address: parsed.data } : i;
    });
}

/** New settings for a stored endpoint (its channel is known only then); refused naming each key at fault. */
export function checkEndpointSettings(channel: string, settings: Record<string, unknown>): void {
  const setup = setupByChannel.get(channel);
  const result = setup?.settings.safeParse(settings);
  if (!result || result.success) return;
  const issues: InputIssue[] = toInputIssues(result.error).map((i) => ({
    path: i.path ? `settings.${i.path}` : 'settings',
    message: i.message,
  }));
  throw validationError(issues);
}
