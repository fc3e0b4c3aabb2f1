import { User } from '../db/entities/index.ts';
import type { ConversationListItem } from '../queries/conversation-list.ts';
import { dashboardTiles } from '../queries/dashboard-tiles.ts';
import { myInbox } from '../queries/my-inbox.ts';
import type { Page } from '../queries/page.ts';
import { searchConversations } from '../queries/search-conversations.ts';
import { teamInbox } from '../queries/team-inbox.ts';
import type { CommandEnv } from './command-env.ts';
import type { CommandResult, ConversationLine } from './command-result.ts';
import type { ParsedCommand } from './parse-command.ts';

/**
 * R9, R10, R26, R30: inboxes, search and the dashboard as command answers. Every list comes from
 * the queries that honour visibility (R17) through the acting user's Viewer.
 */

type Of<K extends ParsedCommand['kind']> = Extract<ParsedCommand, { kind: K }>;

/** A chat answer stays readable: the first lines, and a hint that there are more. */
export const COMMAND_LIST_LIMIT = 10;

export async function runInbox(env: CommandEnv, cmd: Of<'inbox'>): Promise<CommandResult> {
  const limit = COMMAND_LIST_LIMIT;
  switch (cmd.view) {
    case 'mine':
      return listAnswer(env, await myInbox(env.lookup, env.viewer, { status: 'open', limit }), {
        title: 'My inbox',
        empty: 'Nothing is assigned to you. `/parley inbox team` lists your groups’ conversations.',
      });
    case 'team':
      return listAnswer(env, await teamInbox(env.lookup, env.viewer, { status: 'open', limit }), {
        title: 'Team inbox',
        empty: 'Your groups have no open conversations.',
      });
    case 'closed':
      return listAnswer(env, await teamInbox(env.lookup, env.viewer, { status: 'closed', limit }), {
        title: 'Closed conversations',
        empty: 'Your groups have no closed conversations.',
      });
  }
}

/**
 * R10: the words are looked for in contact names and in messages and notes, open and closed
 * conversations alike; the two result lists are merged, newest activity first.
 */
export async function runSearch(env: CommandEnv, cmd: Of<'search'>): Promise<CommandResult> {
  const limit = COMMAND_LIST_LIMIT;
  const byName = await searchConversations(env.lookup, env.viewer, {
    status: 'all',
    contactName: cmd.words,
    limit,
  });
  const byText = await searchConversations(env.lookup, env.viewer, { status: 'all', text: cmd.words, limit });
  const found = [...byName.items, ...byText.items.filter((i) => !byName.items.some((n) => n.id === i.id))];
  found.sort((a, b) => b.lastMessageAt.getTime() - a.lastMessageAt.getTime() || (a.id < b.id ? 1 : -1));
  const more = byName.nextCursor !== null || byText.nextCursor !== null || found.length > limit;
  return listAnswer(
    env,
    { items: found.slice(0, limit), nextCursor: more ? 'more' : null },
    {
      title: `Search: ${cmd.words}`,
      empty: `No conversation you can see matches “${cmd.words}”.`,
    },
  );
}

export async function runDashboard(env: CommandEnv): Promise<CommandResult> {
  return { kind: 'dashboard', tiles: await dashboardTiles(env.lookup, env.viewer) };
}

/** Customer conversations only: internal chats (R25) have no number to act on with a command. */
async function listAnswer(
  env: CommandEnv,
  page: Page<ConversationListItem>,
  text: { title: string; empty: string },
): Promise<CommandResult> {
  const conversations = page.items.filter((i) => i.kind === 'conversation' && i.number !== null);
  const ids = [...new Set(conversations.flatMap((i) => i.assigneeIds))];
  const users = ids.length
    ? await env.lookup.find(User, { id: { $in: ids } }, { fields: ['id', 'name'] })
    : [];
  const nameOf = new Map(users.map((u) => [u.id, u.name]));
  const items: ConversationLine[] = conversations.map((i) => ({
    conversationId: i.id,
    number: i.number!,
    contactName: i.contactName ?? 'Unnamed contact',
    channel: i.channel,
    status: i.status,
    assignees: i.assigneeIds.flatMap((id) => nameOf.get(id) ?? []),
    unrepliedCount: i.unrepliedCount,
    lastMessageAt: i.lastMessageAt.toISOString(),
    preview: i.preview,
  }));
  return { kind: 'list', ...text, items, more: page.nextCursor !== null };
}
