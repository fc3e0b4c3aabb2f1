import type { EntityManager } from '@mikro-orm/postgresql';
import { Group, SurfaceThread } from '../db/entities/index.ts';
import type { Viewer } from '../domain/actor.ts';
import { CSAT_SUMMARY_DAYS, type CsatGroupSummary, csatSummaryOfGroupChannel } from './csat-summary.ts';
import { type HomeThreadLink, threadLinkOf } from './home-data.ts';
import { type SlaFigures, slaFiguresOfGroup } from './sla-figures.ts';
import { one, rows, type Sql, sql } from './sql.ts';
import { tileCondition } from './tile-conditions.ts';

/**
 * R27: a group's digest, posted to its whole channel. The channel is seen by everyone in it, so
 * restricted conversations (R17) are left out entirely: not counted, not listed.
 */

export interface DigestFigures {
  /** Open conversations nobody is assigned to. */
  unassigned: number;
  /** Customer messages waiting for a reply, in open conversations. */
  unreplied: number;
  open: number;
}

export interface DigestItem {
  conversationId: string;
  number: number;
  contactName: string | null;
  channel: string;
  unrepliedCount: number;
  /** ISO time of the oldest message still waiting for a reply. */
  oldestUnrepliedAt: string;
  /** The conversation's thread in the group's Slack channel, when it has one. */
  thread: HomeThreadLink | null;
}

export interface DigestData {
  groupId: string;
  groupName: string;
  slackChannelId: string | null;
  figures: DigestFigures;
  /** The conversations waiting longest for a reply, oldest first. */
  oldestUnreplied: DigestItem[];
  /** R36: the AI agent's last 24 hours in the group's shared conversations; null without an AI agent. */
  ai?: DigestAi | null;
  /** R42: the last CSAT_SUMMARY_DAYS' ratings of the group's shared conversations; null with none asked. */
  csat?: CsatGroupSummary | null;
  /** R39: the group's response figures (last 7 days) and its conversations past their target now; absent without SLA targets. */
  sla?: (SlaFigures & { breachingNow: number }) | null;
}

export interface DigestAi {
  answers: number;
  handoffs: number;
  /** Model tokens, in and out. */
  tokens: number;
}

export const DIGEST_OLDEST_LIMIT = 5;

/**
 * The conversations (alias `c`) the whole group sees. The tile predicates are the ones the
 * dashboard uses (they only read the viewer for "assigned to me", which a digest never asks).
 */
function groupWide(group: Group): { where: Sql; viewer: Viewer } {
  const viewer: Viewer = { id: group.id, accountId: group.account.id, role: 'agent', groupIds: [group.id] };
  const where = sql`c.account_id = ${group.account.id} and c.group_id = ${group.id}
    and c.status <> 'deleted' and c.visible_to_ids is null`;
  return { where, viewer };
}

export function digestFiguresSql(group: Group): Sql {
  const { where, viewer } = groupWide(group);
  return sql`select
    (select count(*)::int from conversation c where ${where} and ${tileCondition(viewer, 'unassigned')}) as "unassigned",
    (select coalesce(sum(c.unreplied_count), 0)::int from conversation c
      where ${where} and ${tileCondition(viewer, 'unreplied')}) as "unreplied",
    (select count(*)::int from conversation c where ${where} and c.status = 'open') as "open"`;
}

/** Served by conversation_unreplied_idx (group_id, oldest_unreplied_at) where open and unreplied. */
export function oldestUnrepliedSql(group: Group, limit: number): Sql {
  const { where, viewer } = groupWide(group);
  return sql`select c.id as "conversationId", c.number, ct.name as "contactName", c.channel,
      c.unreplied_count as "unrepliedCount", c.oldest_unreplied_at as "oldestUnrepliedAt"
    from conversation c join contact ct on ct.id = c.contact_id
    where ${where} and ${tileCondition(viewer, 'unreplied')} and c.oldest_unreplied_at is not null
    order by c.oldest_unreplied_at asc, c.id asc
    limit ${limit}`;
}

type OldestRow = Omit<DigestItem, 'oldestUnrepliedAt' | 'thread'> & { oldestUnrepliedAt: Date | string };

/** The group's digest, or null when the group no longer exists. */
export async function loadDigestData(em: EntityManager, groupId: string): Promise<DigestData | null> {
  const group = await em.findOne(Group, { id: groupId });
  if (!group) return null;
  const figures = await one<DigestFigures>(em, digestFiguresSql(group));
  const oldest = await rows<OldestRow>(em, oldestUnrepliedSql(group, DIGEST_OLDEST_LIMIT));
  const threads = await channelThreads(
    em,
    group.slackChannelId,
    oldest.map((r) => r.conversationId),
  );
  const ai = group.aiAgent?.enabled
    ? await one<DigestAi>(
        em,
        sql`select count(*) filter (where t.status in ('answered', 'drafted'))::int as "answers",
            count(*) filter (where t.status = 'handed_off')::int as "handoffs",
            coalesce(sum(t.input_tokens + t.output_tokens), 0)::int as "tokens"
          from ai_turn t join conversation c on c.id = t.conversation_id
          where t.group_id = ${group.id} and t.created_at > now() - interval '24 hours'
            and c.visible_to_ids is null and c.status <> 'deleted'`,
      )
    : null;
  const csat = await csatSummaryOfGroupChannel(
    em,
    group.account.id,
    group.id,
    new Date(Date.now() - CSAT_SUMMARY_DAYS * 86_400_000),
  );
  const sla = group.sla ? await digestSla(em, group) : null;
  return {
    groupId: group.id,
    groupName: group.name,
    ai: ai ?? null,
    csat,
    sla,
    slackChannelId: group.slackChannelId ?? null,
    figures: {
      unassigned: figures?.unassigned ?? 0,
      unreplied: figures?.unreplied ?? 0,
      open: figures?.open ?? 0,
    },
    oldestUnreplied: oldest.map((r) => ({
      ...r,
      oldestUnrepliedAt: new Date(r.oldestUnrepliedAt).toISOString(),
      thread: threads.get(r.conversationId) ?? null,
    })),
  };
}

/** R39 in a digest: the figures of the shared conversations, and how many of them breach now. */
async function digestSla(em: EntityManager, group: Group): Promise<DigestData['sla']> {
  const { where, viewer } = groupWide(group);
  const now = await one<{ n: number }>(
    em,
    sql`select count(*)::int as n from conversation c where ${where} and ${tileCondition(viewer, 'breaching')}`,
  );
  const figures = await slaFiguresOfGroup(em, group, new Date());
  return { ...figures, breachingNow: now?.n ?? 0 };
}

/** The listed conversations' active threads in the group's Slack channel, in one query. */
async function channelThreads(
  em: EntityManager,
  channelId: string | null | undefined,
  conversationIds: string[],
): Promise<Map<string, HomeThreadLink>> {
  if (!channelId || conversationIds.length === 0) return new Map();
  const threads = await em.find(SurfaceThread, {
    conversation: { $in: conversationIds },
    surface: 'slack',
    state: 'active',
    place: `channel:${channelId}`,
  });
  const links = new Map<string, HomeThreadLink>();
  for (const t of threads) {
    const link = threadLinkOf(t.ref);
    if (link) links.set(t.conversation.id, link);
  }
  return links;
}
