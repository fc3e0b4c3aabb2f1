import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { Group, SurfaceThread, User } from '../db/entities/index.ts';
import type { Viewer } from '../domain/actor.ts';
import type { ConversationListItem, ListQuery } from './conversation-list.ts';
import { CSAT_SUMMARY_DAYS, type CsatGroupSummary, csatSummaryFor } from './csat-summary.ts';
import { type DashboardTiles, dashboardTiles } from './dashboard-tiles.ts';
import { internalChatLinks } from './internal-chat-links.ts';
import { myInbox } from './my-inbox.ts';
import { type SlaFigures, slaFiguresFor } from './sla-figures.ts';
import { teamInbox } from './team-inbox.ts';

/**
 * R26, R32: what a user's dashboard on a chat surface shows (Slack App Home, Teams personal tab):
 * the tiles, My inbox and Team inbox with their filters, each item with where the user can open
 * its thread. Everything comes from the queries that honour visibility (R17) through the Viewer.
 */

/** What Team inbox can show: open, unassigned, unreplied, past the SLA target (R39), closed. */
export const TEAM_SHOWS = ['all', 'unassigned', 'unreplied', 'breaching', 'closed'] as const;

export interface HomeFilters {
  my: { status: 'open' | 'closed' };
  team: { groupId: string | null; show: (typeof TEAM_SHOWS)[number] };
}

export const defaultHomeFilters: HomeFilters = {
  my: { status: 'open' },
  team: { groupId: null, show: 'all' },
};

// Each part falls back on its own, so one stale or tampered field does not reset the others.
const filtersSchema = z.object({
  my: z
    .object({ status: z.enum(['open', 'closed']).catch('open') })
    .catch(() => ({ ...defaultHomeFilters.my })),
  team: z
    .object({
      groupId: z.uuid().nullable().catch(null),
      show: z.enum(TEAM_SHOWS).catch('all'),
    })
    .catch(() => ({ ...defaultHomeFilters.team })),
});

/** The filters kept in a view's private_metadata (JSON). Bad or missing input gives the defaults. */
export function parseHomeFilters(raw: string | undefined | null): HomeFilters {
  if (!raw) return structuredClone(defaultHomeFilters);
  try {
    const parsed = filtersSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : structuredClone(defaultHomeFilters);
  } catch {
    return structuredClone(defaultHomeFilters);
  }
}

/** The platform message that heads the conversation's thread where this viewer may open it. */
export interface HomeThreadLink {
  channel: string;
  ts: string;
}

export interface HomeItem {
  conversationId: string;
  /** The human number (#1042); null for an internal chat (R25). */
  number: number | null;
  kind: 'conversation' | 'internal';
  /** The contact, or for an internal chat the other user. */
  contactName: string | null;
  /** The customer channel ('whatsapp', 'sms', 'webchat'), or 'internal'. */
  channel: string;
  status: 'open' | 'closed';
  /** Assignees' names. */
  assignees: string[];
  unrepliedCount: number;
  unread: boolean;
  restricted: boolean;
  /** ISO time of the latest message. */
  lastMessageAt: string | null;
  preview: string | null;
  thread: HomeThreadLink | null;
}

export interface HomeData {
  userName: string;
  tiles: DashboardTiles;
  /** R42: ratings of the last CSAT_SUMMARY_DAYS in the viewer's groups (conversations they may see). */
  csat?: CsatGroupSummary[];
  myInbox: HomeItem[];
  teamInbox: HomeItem[];
  /** The viewer's groups, for the Team inbox group filter. */
  groups: { id: string; name: string }[];
  /** The filters applied (a group the viewer has left falls back to all groups). */
  filters: HomeFilters;
  moreMine: boolean;
  moreTeam: boolean;
  /** R39: response figures of the viewer's groups with SLA targets (those the viewer may see). */
  sla?: SlaFigures[];
}

export const HOME_LIST_LIMIT = 10;

const teamQuery = (team: HomeFilters['team']): ListQuery => {
  const groupId = team.groupId ?? undefined;
  switch (team.show) {
    case 'all':
      return { groupId, status: 'open' };
    case 'unassigned':
      return { groupId, status: 'open', unassigned: true };
    case 'unreplied':
      return { groupId, status: 'open', unreplied: true };
    case 'breaching':
      return { groupId, status: 'open', breaching: true };
    case 'closed':
      return { groupId, status: 'closed' };
  }
};

/** The dashboard of an active user, or null when the user does not exist or is inactive. */
export async function loadHomeData(
  em: EntityManager,
  userId: string,
  filters: HomeFilters,
  opts: { limit?: number } = {},
): Promise<HomeData | null> {
  const user = await em.findOne(User, { id: userId });
  if (!user?.active) return null;
  const viewer: Viewer = {
    id: user.id,
    accountId: user.account.id,
    role: user.role,
    groupIds: user.groupIds,
  };
  const limit = opts.limit ?? HOME_LIST_LIMIT;
  const groupId =
    filters.team.groupId && viewer.groupIds.includes(filters.team.groupId) ? filters.team.groupId : null;
  const applied: HomeFilters = { my: { ...filters.my }, team: { ...filters.team, groupId } };

  // One after another: the EntityManager may be inside a transaction (one connection).
  const tiles = await dashboardTiles(em, viewer);
  const csat = await csatSummaryFor(em, viewer, new Date(Date.now() - CSAT_SUMMARY_DAYS * 86_400_000));
  const sla = await slaFiguresFor(em, viewer, new Date());
  const mine = await myInbox(em, viewer, { status: applied.my.status, limit });
  const team = await teamInbox(em, viewer, { ...teamQuery(applied.team), limit });
  const groups = viewer.groupIds.length
    ? await em.find(
        Group,
        { id: { $in: [...viewer.groupIds] } },
        { fields: ['id', 'name'], orderBy: { name: 'asc' } },
      )
    : [];
  const listed = [...mine.items, ...team.items];
  const names = await assigneeNames(em, listed);
  const threads = await threadLinks(em, viewer, listed);
  // R25: an internal chat opens at its latest message in the viewer's direct messages with the app.
  const internalIds = listed.filter((i) => i.kind === 'internal').map((i) => i.id);
  const internal = await internalChatLinks(em, viewer.id, internalIds, 'slack');
  const toHomeItem = (i: ConversationListItem): HomeItem => ({
    conversationId: i.id,
    number: i.number,
    kind: i.kind,
    contactName: i.contactName,
    channel: i.channel,
    status: i.status,
    assignees: i.assigneeIds.flatMap((id) => names.get(id) ?? []),
    unrepliedCount: i.unrepliedCount,
    unread: i.unread,
    restricted: i.restricted,
    lastMessageAt: i.lastMessageAt.toISOString(),
    preview: i.preview,
    thread: i.kind === 'conversation' ? (threads.get(i.id) ?? null) : threadLinkOf(internal.get(i.id) ?? {}),
  });
  return {
    userName: user.name,
    tiles,
    csat,
    myInbox: mine.items.map(toHomeItem),
    teamInbox: team.items.map(toHomeItem),
    groups: groups.map((g) => ({ id: g.id, name: g.name })),
    filters: applied,
    moreMine: mine.nextCursor !== null,
    moreTeam: team.nextCursor !== null,
    ...(sla.length ? { sla } : {}),
  };
}

async function assigneeNames(em: EntityManager, items: ConversationListItem[]): Promise<Map<string, string>> {
  const ids = [...new Set(items.flatMap((i) => i.assigneeIds))];
  if (ids.length === 0) return new Map();
  const users = await em.find(User, { id: { $in: ids } }, { fields: ['id', 'name'] });
  return new Map(users.map((u) => [u.id, u.name]));
}

/**
 * R28, R31: where the viewer opens each conversation in Slack — the group channel's thread for a
 * conversation the whole group sees, the viewer's own direct-message thread for a restricted one
 * (a restricted conversation's channel thread is only a stub). One query for the whole page.
 */
async function threadLinks(
  em: EntityManager,
  viewer: Viewer,
  items: ConversationListItem[],
): Promise<Map<string, HomeThreadLink>> {
  const conversations = items.filter((i) => i.kind === 'conversation');
  if (conversations.length === 0) return new Map();
  const threads = await em.find(
    SurfaceThread,
    {
      conversation: { $in: [...new Set(conversations.map((i) => i.id))] },
      surface: 'slack',
      state: 'active',
      // A direct place is `user:<id>:<chat user id>` (mirror-conversation.ts).
      $or: [{ place: { $like: 'channel:%' } }, { place: { $like: `user:${viewer.id}:%` } }],
    },
    { orderBy: { updatedAt: 'asc' } },
  );
  const links = new Map<string, HomeThreadLink>();
  for (const item of conversations) {
    const place = (p: string) =>
      item.restricted ? p.startsWith(`user:${viewer.id}:`) : p.startsWith('channel:');
    const thread = threads.findLast((t) => t.conversation.id === item.id && place(t.place));
    const link = thread && threadLinkOf(thread.ref);
    if (link) links.set(item.id, link);
  }
  return links;
}

/** A Slack thread reference (`{ channel, ts }`) as a link target; null when it is not one. */
export function threadLinkOf(ref: Record<string, unknown>): HomeThreadLink | null {
  const { channel, ts } = ref;
  return typeof channel === 'string' && typeof ts === 'string' && channel !== '' && ts !== ''
    ? { channel, ts }
    : null;
}
