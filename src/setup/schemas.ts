// The admin API names these schemas with `.openapi()`: zod must be extended before any is made,
// whoever imports this module first.
import '@hono/zod-openapi';
import { z } from 'zod';
import { channelNames } from '../domain/channels.ts';
import { cronProblem } from '../domain/cron.ts';
import { withEndpointRules, withIdentityRules } from './channel-input.ts';
import { strictObject } from './strict-object.ts';

/**
 * What an admin may send to create or change workspace records. Shared by the admin API (which
 * turns them into its OpenAPI document), the CLI and the workspace file.
 */

const text = (max: number) => z.string().trim().min(1).max(max);
/** An external id (Slack, Teams); `null` unlinks. */
const externalId = text(200).nullable();

/** Minute hour day-of-month month day-of-week (UTC), optionally with seconds first: what BullMQ can schedule. */
export const cronSchema = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const problem = cronProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const channelSchema = z.enum(channelNames, { message: `must be one of ${channelNames.join(', ')}` });

export const aiAgentSchema = strictObject({
  enabled: z.boolean(),
  name: text(80).optional(),
  instructions: z.string().max(20_000).optional(),
  model: text(100).optional(),
  /** auto: answers go to the customer; draft: they wait in the thread for a person (R36). */
  mode: z.enum(['auto', 'draft']).optional(),
  maxTurns: z.number().int().min(1).max(1_000).optional(),
  dailyTokenBudget: z.number().int().min(1).optional(),
});

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};
const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time "HH:MM" (00:00 to 24:00)');
const openingHoursSchema = strictObject({ from: clock, to: clock }).refine(
  (h) => h.from < h.to,
  'must end after it starts ("from" before "to")',
);
const dayHours = z.array(openingHoursSchema).max(10).optional();
const isRealDate = (d: string) =>
  !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);

/** R37: business hours (local to `timeZone`) and the automatic messages. */
export const autoResponderSchema = strictObject({
  enabled: z.boolean(),
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. "Europe/Berlin"'),
  hours: strictObject({
    mon: dayHours,
    tue: dayHours,
    wed: dayHours,
    thu: dayHours,
    fri: dayHours,
    sat: dayHours,
    sun: dayHours,
  }),
  holidays: z
    .array(
      z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date "YYYY-MM-DD"')
        .refine(isRealDate, 'is not a real date'),
    )
    .max(366)
    .optional(),
  awayMessage: text(1_600).optional(),
  greeting: text(1_600).optional(),
  intervalMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .optional(),
});

/** R39: response-time targets in business minutes (at most 30 days). */
const slaMinutes = z
  .number()
  .int()
  .min(1)
  .max(30 * 24 * 60);
const slaTargetsSchema = strictObject({
  firstResponseMinutes: slaMinutes.optional(),
  nextResponseMinutes: slaMinutes.optional(),
});
const hasTarget = (t: { firstResponseMinutes?: number; nextResponseMinutes?: number }) =>
  t.firstResponseMinutes !== undefined || t.nextResponseMinutes !== undefined;

/** R39: a group's SLA targets, per contact tag where a tag sets its own, and where breaches are told. */
export const slaSchema = strictObject({
  ...slaTargetsSchema.shape,
  warnBeforeMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .optional(),
  tags: z
    .record(
      text(100),
      slaTargetsSchema.refine(hasTarget, 'a tag needs firstResponseMinutes or nextResponseMinutes'),
    )
    .optional(),
  escalation: strictObject({ slack: text(200).optional(), teams: text(200).optional() }).optional(),
}).refine(
  (s) => hasTarget(s) || Object.values(s.tags ?? {}).some(hasTarget),
  'set firstResponseMinutes or nextResponseMinutes (for the group or a tag); to turn SLA targets off, set sla to null',
);

export const accountPatchSchema = strictObject({ name: text(200) });

export const replyModeSchema = z.enum(['thread', 'explicit'], {
  error: 'replies must be "thread" (plain thread messages go to the customer) or "explicit" (they are notes)',
});

export const csatSchema = z.enum(['on', 'off'], {
  error: 'csat must be "on" (customers are asked to rate a closed conversation) or "off"',
});

export const groupCreateSchema = strictObject({
  name: text(100),
  slackChannelId: externalId.optional(),
  teamsTeamId: externalId.optional(),
  teamsChannelId: externalId.optional(),
  aiAgent: aiAgentSchema.nullable().optional(),
  autoResponder: autoResponderSchema.nullable().optional(),
  /** R39: first- and next-response targets, counted in the auto responder's business hours; null for none. */
  sla: slaSchema.nullable().optional(),
  /** R27: when the dashboard digest is posted; null for none. */
  digestCron: cronSchema.nullable().optional(),
  /**
   * R41: `thread` (default), a plain message in a conversation's thread goes to the customer;
   * `explicit`, it is an internal note and only `!reply`, Reply… or "Send to customer" send.
   */
  replies: replyModeSchema.optional(),
  /** R42: `on`, the customer is asked once to rate a conversation after it is closed; `off` (default). */
  csat: csatSchema.optional(),
});
export const groupPatchSchema = groupCreateSchema.partial();

/** Emails are kept lower-case so "Ada@x" and "ada@x" are one user. */
const email = z.string().trim().toLowerCase().check(z.email());
export const roleSchema = z.enum(['admin', 'agent']);

export const userCreateSchema = strictObject({
  email,
  name: text(200),
  role: roleSchema.default('agent'),
  groupIds: z.array(z.uuid()).default([]),
  slackUserId: externalId.optional(),
  teamsUserId: externalId.optional(),
  active: z.boolean().default(true),
});
export const userPatchSchema = strictObject({
  email: email.optional(),
  name: text(200).optional(),
  role: roleSchema.optional(),
  groupIds: z.array(z.uuid()).optional(),
  slackUserId: externalId.optional(),
  teamsUserId: externalId.optional(),
  active: z.boolean().optional(),
});

const settings = z.record(z.string(), z.unknown());

export const endpointCreateSchema = withEndpointRules(
  strictObject({
    groupId: z.uuid(),
    channel: channelSchema,
    /** WhatsApp phone number id, SMS number (stored in E.164), webchat widget key: each channel checks its own. */
    address: text(200),
    name: text(200),
    /** Checked against the channel's own settings schema (an unknown key is refused). */
    settings: settings.default({}),
  }),
);
export const endpointPatchSchema = strictObject({
  groupId: z.uuid().optional(),
  name: text(200).optional(),
  settings: settings.optional(),
});

export const identitySchema = withIdentityRules(strictObject({ channel: channelSchema, address: text(300) }));
export const portalProfileSchema = strictObject({
  externalId: text(200),
  email: z.string().trim().max(320).optional(),
  name: z.string().trim().max(200).optional(),
  attributes: z.record(z.string(), z.string()).optional(),
});
const tags = z.array(text(60));

export const contactCreateSchema = strictObject({
  name: text(200).nullable().optional(),
  tags: tags.default([]),
  identities: z.array(identitySchema).default([]),
  portalProfile: portalProfileSchema.nullable().optional(),
  optedOutChannels: z.array(channelSchema).default([]),
  /** R16: users every new conversation from this contact is assigned to. */
  defaultAssigneeIds: z.array(z.uuid()).default([]),
  /** R19: users new inbound conversations are restricted to; null means the whole group. */
  defaultVisibleToIds: z.array(z.uuid()).nullable().optional(),
});
export const contactPatchSchema = strictObject({
  name: text(200).nullable().optional(),
  tags: tags.optional(),
  portalProfile: portalProfileSchema.nullable().optional(),
  optedOutChannels: z.array(channelSchema).optional(),
  defaultAssigneeIds: z.array(z.uuid()).optional(),
  defaultVisibleToIds: z.array(z.uuid()).nullable().optional(),
});
export const contactFilterSchema = strictObject({
  tag: z.string().trim().min(1).optional(),
  name: z.string().trim().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export type AccountPatch = z.input<typeof accountPatchSchema>;
export type GroupCreate = z.input<typeof groupCreateSchema>;
export type GroupPatch = z.input<typeof groupPatchSchema>;
export type UserCreate = z.input<typeof userCreateSchema>;
export type UserPatch = z.input<typeof userPatchSchema>;
export type EndpointCreate = z.input<typeof endpointCreateSchema>;
export type EndpointPatch = z.input<typeof endpointPatchSchema>;
export type ContactCreate = z.input<typeof contactCreateSchema>;
export type ContactPatch = z.input<typeof contactPatchSchema>;
export type ContactFilter = z.input<typeof contactFilterSchema>;
