import type { EntityManager } from '@mikro-orm/postgresql';
import { Conversation } from '../src/db/entities/index.ts';
import type { Viewer } from '../src/domain/actor.ts';
import { dashboardTiles } from '../src/queries/dashboard-tiles.ts';
import { myInbox } from '../src/queries/my-inbox.ts';
import { searchConversations } from '../src/queries/search-conversations.ts';
import { teamInbox } from '../src/queries/team-inbox.ts';
import { pick } from './dashboards-stats.ts';

/**
 * What the dashboard benchmark measures: the app's own query functions, each on a fresh
 * EntityManager fork (as a request gets), for a viewer drawn at random — plus two ceilings through
 * the same ORM and pool: a bare round trip and a primary-key lookup.
 */

/** Which page of the Team inbox the "later page" case opens (reached by following cursors). */
export const LATER_PAGE = 10;

export interface BenchContext {
  viewers: Viewer[];
  /** Per viewer id: the cursor that opens its Team inbox page LATER_PAGE (or the deepest page it has). */
  laterCursors: Map<string, string>;
  /** The viewers with a second page at least. */
  laterViewers: Viewer[];
  conversationIds: string[];
  random: () => number;
}

export interface BenchCase {
  name: string;
  /** The p99 target in ms; none for ceilings. */
  targetP99?: number;
  ceiling?: boolean;
  run: (em: EntityManager, ctx: BenchContext) => Promise<unknown>;
}

/** Search words of every selectivity (share of the 1,000,000 messages containing them, at scale 1). */
export const SEARCHES = [
  { name: 'search: common word (19 % of messages)', text: 'delivery' },
  { name: 'search: two common words (1.2 %)', text: 'refund tracking' },
  { name: 'search: mid word (3.7 %)', text: 'contract' },
  { name: 'search: number prefix (0.2 %)', text: 'order 12' },
  { name: 'search: rare word (0.02 %)', text: 'quartz' },
  { name: 'search: order number (none)', text: 'order 865652' },
] as const;

const viewerOf = (ctx: BenchContext) => pick(ctx.viewers, ctx.random);

export const BENCH_CASES: readonly BenchCase[] = [
  { name: 'ceiling: select 1', ceiling: true, run: (em) => em.execute('select 1') },
  {
    name: 'ceiling: conversation by primary key',
    ceiling: true,
    run: (em, ctx) => em.findOne(Conversation, { id: pick(ctx.conversationIds, ctx.random) }),
  },
  { name: 'tiles (4 figures)', targetP99: 5, run: (em, ctx) => dashboardTiles(em, viewerOf(ctx)) },
  { name: 'Team inbox, first page', targetP99: 20, run: (em, ctx) => teamInbox(em, viewerOf(ctx)) },
  {
    name: `Team inbox, page ${LATER_PAGE} by cursor`,
    targetP99: 20,
    run: (em, ctx) => {
      const viewer = pick(ctx.laterViewers, ctx.random);
      return teamInbox(em, viewer, { cursor: ctx.laterCursors.get(viewer.id) });
    },
  },
  // Not a target of the issue: shown to check the list changes did not slow My inbox down.
  { name: 'My inbox, first page', run: (em, ctx) => myInbox(em, viewerOf(ctx)) },
  ...SEARCHES.map(
    (s): BenchCase => ({
      name: s.name,
      targetP99: 50,
      run: (em, ctx) => searchConversations(em, viewerOf(ctx), { text: s.text }),
    }),
  ),
];

/** Every active user as the app sees them (agents and admins), and one cursor deep into each Team inbox. */
export async function loadContext(fork: () => EntityManager, random: () => number): Promise<BenchContext> {
  const em = fork();
  const users = await em.execute<
    { id: string; accountId: string; role: 'admin' | 'agent'; groupIds: string[] }[]
  >(
    `select id, account_id as "accountId", role, group_ids as "groupIds" from users where active order by name`,
  );
  const viewers: Viewer[] = users.map((u) => ({ ...u, groupIds: u.groupIds }));
  const conversationIds = (
    await em.execute<{ id: string }[]>(`select id from conversation order by random() limit 2000`)
  ).map((r) => r.id);
  const laterCursors = new Map<string, string>();
  for (const viewer of viewers) {
    let cursor: string | undefined;
    for (let page = 1; page < LATER_PAGE; page++) {
      const next = (await teamInbox(fork(), viewer, cursor === undefined ? {} : { cursor })).nextCursor;
      if (next === null) break;
      cursor = next;
    }
    if (cursor !== undefined) laterCursors.set(viewer.id, cursor);
  }
  if (laterCursors.size === 0) throw new Error('No viewer has a second Team inbox page: seed more data.');
  const laterViewers = viewers.filter((v) => laterCursors.has(v.id));
  return { viewers, laterCursors, laterViewers, conversationIds, random };
}
