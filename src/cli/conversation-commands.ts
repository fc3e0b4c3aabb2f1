import type { EntityManager } from '@mikro-orm/postgresql';
import type { Command } from 'commander';
import { AppError } from '../domain/errors.ts';
import { oneLine } from '../domain/one-line.ts';
import { formatMoney } from '../domain/payments.ts';
import { findActingUser } from '../queries/acting-user.ts';
import { conversationDetail } from '../queries/conversation-detail.ts';
import type { ConversationFilters } from '../queries/conversation-filters.ts';
import { conversationInvoices } from '../queries/conversation-invoices.ts';
import { searchConversations } from '../queries/search-conversations.ts';
import { groupNameKey, listGroups } from '../setup/groups.ts';
import { findUserByEmail } from '../setup/users.ts';
import { toViewer } from '../use-cases/load.ts';
import { type CliIo, type OpenDatabase, processIo, table, withDatabase } from './io.ts';

interface ListOptions {
  as?: string;
  status?: string;
  group?: string;
  assignee?: string;
  unreplied?: boolean;
  channel?: string;
  words?: string;
  cursor?: string;
  limit?: string;
}

/** R33: who the command acts as: `--as`, or PARLEY_AS; their visibility scopes what is shown. */
async function actingAs(em: EntityManager, as: string | undefined) {
  const ref = as ?? process.env.PARLEY_AS;
  if (!ref) {
    throw new AppError(
      'validation_failed',
      'Name the Parley user you act as: --as you@example.com (or set PARLEY_AS). You see what they may see.',
    );
  }
  return findActingUser(em, ref);
}

const time = (d: Date | null | undefined) =>
  d ? new Date(d).toISOString().slice(0, 16).replace('T', ' ') : '';

async function filtersFrom(em: EntityManager, userId: string, o: ListOptions): Promise<ConversationFilters> {
  const f: ConversationFilters = {};
  if (o.status !== undefined) {
    if (!['open', 'closed', 'all'].includes(o.status))
      throw new AppError('validation_failed', '--status is open, closed or all.');
    f.status = o.status as 'open' | 'closed' | 'all';
  }
  if (o.group !== undefined) {
    const wanted = groupNameKey(o.group);
    const group = (await listGroups(em)).find((g) => groupNameKey(g.name) === wanted);
    if (!group)
      throw new AppError('not_found', `There is no group named "${o.group}"; see parley groups list.`);
    f.groupId = group.id;
  }
  if (o.assignee === 'none') f.unassigned = true;
  else if (o.assignee === 'me') f.assigneeId = userId;
  else if (o.assignee !== undefined) f.assigneeId = (await findUserByEmail(em, o.assignee)).id;
  if (o.unreplied) f.unreplied = true;
  if (o.channel !== undefined) f.channel = o.channel;
  if (o.words !== undefined) f.text = o.words;
  return f;
}

/**
 * `conversations list|show`: the conversations a named user may see (R9, R10, R17), from the
 * terminal, as the admin API's GET /conversations and GET /conversations/{id}. Read-only.
 */
export function registerConversationCommands(
  program: Command,
  open: OpenDatabase,
  io: CliIo = processIo,
): void {
  const conversations = program
    .command('conversations')
    .description('list and read conversations as a named user sees them');

  conversations
    .command('list')
    .description('list conversations (open by default), newest activity first')
    .option('--as <email>', 'the Parley user you act as (or PARLEY_AS)')
    .option('--status <status>', 'open, closed or all')
    .option('--group <name>', 'only this group')
    .option('--assignee <email>', "a user's email, me or none (unassigned)")
    .option('--unreplied', 'only conversations with unreplied messages')
    .option('--channel <channel>', 'webchat, whatsapp, sms…')
    .option('--words <words>', 'words in any message or note')
    .option('--cursor <cursor>', 'the next page, as printed under the previous one')
    .option('--limit <n>', 'how many (1 to 100, 25 by default)')
    .action((o: ListOptions) =>
      withDatabase(open, io, async (em) => {
        const user = await actingAs(em, o.as);
        const limit = o.limit === undefined ? undefined : Number(o.limit);
        if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 100))
          throw new AppError('validation_failed', '--limit is a whole number from 1 to 100.');
        const page = await searchConversations(em, toViewer(user), {
          ...(await filtersFrom(em, user.id, o)),
          ...(o.cursor ? { cursor: o.cursor } : {}),
          ...(limit ? { limit } : {}),
        });
        if (page.items.length === 0) {
          io.out('No conversations match.');
          return;
        }
        const groups = new Map((await listGroups(em)).map((g) => [g.id, g.name]));
        const rows = page.items.map((i) => [
          `#${i.number}`,
          i.status,
          i.channel,
          groups.get(i.groupId ?? '') ?? '',
          `${i.contactName ?? ''}${i.restricted ? ' (restricted)' : ''}`,
          String(i.unrepliedCount),
          time(i.lastMessageAt),
          oneLine(i.preview, 60),
        ]);
        for (const line of table(
          ['#', 'STATUS', 'CHANNEL', 'GROUP', 'CONTACT', 'UNREPLIED', 'LAST', 'LATEST'],
          rows,
        ))
          io.out(line);
        if (page.nextCursor) io.out(`More: parley conversations list … --cursor ${page.nextCursor}`);
      }),
    );

  conversations
    .command('show <conversation>')
    .description('show a conversation (#1042, 1042 or its id) with its messages, notes and invoices')
    .option('--as <email>', 'the Parley user you act as (or PARLEY_AS)')
    .action((ref: string, o: { as?: string }) =>
      withDatabase(open, io, async (em) => {
        const user = await actingAs(em, o.as);
        const number = /^#?\d+$/.test(ref) ? Number(ref.replace('#', '')) : null;
        const {
          header: h,
          timeline,
          hasEarlier,
        } = await conversationDetail(em, toViewer(user), number === null ? { id: ref } : { number });
        const names = (list: { name: string }[] | null) => list?.map((u) => u.name).join(', ') || '-';
        io.out(`#${h.number}  ${h.status}  ${h.channel}  ${h.contact.name ?? 'Unknown contact'}`);
        io.out(`  assignees   ${names(h.assignees)}`);
        io.out(`  visible to  ${h.visibleTo ? names(h.visibleTo) : 'the whole group'}`);
        io.out(`  unreplied   ${h.unrepliedCount}`);
        io.out(`  id          ${h.id}`);
        io.out('');
        if (hasEarlier) io.out('  (earlier messages not shown)');
        for (const m of timeline) {
          const who = m.kind === 'inbound' ? (h.contact.name ?? 'Contact') : (m.author?.name ?? m.kind);
          const tag = m.kind === 'note' ? ' [private note]' : m.kind === 'system' ? ' [system]' : '';
          io.out(`${time(m.createdAt)}  ${who}${tag}: ${m.text ?? ''}`);
          for (const a of m.attachments)
            io.out(
              `    attachment: ${a.name ?? a.kind}${a.status && a.status !== 'stored' ? ` (${a.status})` : ''}`,
            );
        }
        const { invoices, checkouts } = await conversationInvoices(em, h.id);
        for (const i of invoices)
          io.out(
            `invoice ${i.reference}  ${formatMoney(i.amountMinor, i.currency)}  ${i.status}${i.payLink ? `  ${i.payLink}` : ''}`,
          );
        for (const k of checkouts)
          io.out(
            `checkout  ${formatMoney(k.amountMinor, k.currency)}  ${k.status}${k.payLink ? `  ${k.payLink}` : ''}`,
          );
      }),
    );
}
