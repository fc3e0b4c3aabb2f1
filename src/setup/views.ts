// The admin API names these schemas with `.openapi()`: zod must be extended before any is made,
// whoever imports this module first.
import '@hono/zod-openapi';
import { z } from 'zod';
import type {
  Account,
  ChannelEndpoint,
  Contact,
  ContactIdentity,
  Group,
  User,
} from '../db/entities/index.ts';
import { aiAgentSchema, autoResponderSchema, portalProfileSchema, slaSchema } from './schemas.ts';

/** What the admin API returns for each record (and what its OpenAPI document describes). */

const timestamp = z.iso.datetime();

export const accountView = z.object({ id: z.uuid(), name: z.string(), createdAt: timestamp });

export const groupView = z.object({
  id: z.uuid(),
  name: z.string(),
  slackChannelId: z.string().nullable(),
  teamsTeamId: z.string().nullable(),
  teamsChannelId: z.string().nullable(),
  aiAgent: aiAgentSchema.nullable(),
  autoResponder: autoResponderSchema.nullable(),
  sla: slaSchema.nullable(),
  digestCron: z.string().nullable(),
  replies: z.enum(['thread', 'explicit']),
  csat: z.enum(['on', 'off']),
  createdAt: timestamp,
});

export const userView = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'agent']),
  groupIds: z.array(z.uuid()),
  slackUserId: z.string().nullable(),
  teamsUserId: z.string().nullable(),
  active: z.boolean(),
  createdAt: timestamp,
});

export const endpointView = z.object({
  id: z.uuid(),
  groupId: z.uuid(),
  channel: z.string(),
  address: z.string(),
  name: z.string(),
  settings: z.record(z.string(), z.unknown()),
  createdAt: timestamp,
});

export const contactView = z.object({
  id: z.uuid(),
  name: z.string().nullable(),
  tags: z.array(z.string()),
  identities: z.array(z.object({ channel: z.string(), address: z.string(), identified: z.boolean() })),
  portalProfile: portalProfileSchema.nullable(),
  optedOutChannels: z.array(z.string()),
  defaultAssigneeIds: z.array(z.uuid()),
  defaultVisibleToIds: z.array(z.uuid()).nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export type AccountView = z.infer<typeof accountView>;
export type GroupView = z.infer<typeof groupView>;
export type UserView = z.infer<typeof userView>;
export type EndpointView = z.infer<typeof endpointView>;
export type ContactView = z.infer<typeof contactView>;

const iso = (d: Date) => d.toISOString();

export const toAccountView = (a: Account): AccountView => ({
  id: a.id,
  name: a.name,
  createdAt: iso(a.createdAt),
});

export const toGroupView = (g: Group): GroupView => ({
  id: g.id,
  name: g.name,
  slackChannelId: g.slackChannelId ?? null,
  teamsTeamId: g.teamsTeamId ?? null,
  teamsChannelId: g.teamsChannelId ?? null,
  aiAgent: g.aiAgent ?? null,
  autoResponder: g.autoResponder ?? null,
  sla: g.sla ?? null,
  digestCron: g.digestCron ?? null,
  replies: g.replies,
  csat: g.csat,
  createdAt: iso(g.createdAt),
});

export const toUserView = (u: User): UserView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  groupIds: [...u.groupIds],
  slackUserId: u.slackUserId ?? null,
  teamsUserId: u.teamsUserId ?? null,
  active: u.active,
  createdAt: iso(u.createdAt),
});

export const toEndpointView = (e: ChannelEndpoint): EndpointView => ({
  id: e.id,
  groupId: e.group.id,
  channel: e.channel,
  address: e.address,
  name: e.name,
  settings: e.settings,
  createdAt: iso(e.createdAt),
});

export const toContactView = (c: Contact, identities: readonly ContactIdentity[]): ContactView => ({
  id: c.id,
  name: c.name ?? null,
  tags: [...c.tags],
  identities: identities.map((i) => ({ channel: i.channel, address: i.address, identified: i.identified })),
  portalProfile: c.portalProfile ?? null,
  optedOutChannels: [...c.optedOutChannels],
  defaultAssigneeIds: [...c.defaultAssigneeIds],
  defaultVisibleToIds: c.defaultVisibleToIds ? [...c.defaultVisibleToIds] : null,
  createdAt: iso(c.createdAt),
  updatedAt: iso(c.updatedAt),
});
