import {
  ActionSet,
  Choice,
  ChoiceSetInput,
  Column,
  ColumnSet,
  ExecuteAction,
  OpenUrlAction,
  TextBlock,
} from '@microsoft/teams.cards';
import { CSAT_SUMMARY_DAYS } from '../../../../src/queries/csat-summary.ts';
import type { Tile } from '../../../../src/queries/dashboard-tiles.ts';
import {
  type HomeData,
  type HomeFilters,
  type HomeItem,
  parseHomeFilters,
} from '../../../../src/queries/home-data.ts';
import { csatLines, myInboxEmpty, slaFiguresLine, teamInboxEmpty } from '../../shared/dashboard-text.ts';
import { CARD_VERBS, type OutboundActivity } from '../ports.ts';
import {
  adaptiveCard,
  type CardBody,
  cardActivity,
  channelName,
  clipped,
  fitted,
  line,
  localTime,
  oneLine,
  run,
} from './card-kit.ts';
import { ALL_GROUPS, DASHBOARD_INPUTS, tileFilters } from './dashboard-filters.ts';

export { DASHBOARD_INPUTS, parseDashboardAction } from './dashboard-filters.ts';

/**
 * R26, R32: a user's dashboard in their personal chat with the app (pure: HomeData in, card out):
 * the tiles, My inbox and Team inbox with their filters. Every button is an Action.Execute with
 * verb CARD_VERBS.dashboard and data `{ filters }` (a tile: the filters that show its list); the
 * filter inputs (ids in DASHBOARD_INPUTS) come with "Apply" and override them (parseDashboardAction).
 * With `refreshUserIds`, Teams asks each of those viewers' own figures when they look (refresh).
 */

const MAX_ITEMS = 15;
const MAX_GROUPS = 100;
const PREVIEW_CHARS = 150;

export interface DashboardOpts {
  filters: HomeFilters;
  /** Where a conversation opens in Teams (its channel post or personal chat), when known. */
  openLink?: (item: HomeItem) => string | null;
  /** Teams users (their Bot Framework ids, at most 60) whose view refreshes itself. */
  refreshUserIds?: string[];
}

const dashboardAction = (title: string, filters: HomeFilters) =>
  new ExecuteAction({ title, verb: CARD_VERBS.dashboard, data: { filters } });

export function dashboardCard(data: HomeData, opts: DashboardOpts): OutboundActivity {
  const { filters } = opts;
  const refresh = opts.refreshUserIds?.length
    ? { action: dashboardAction('Refresh', filters), userIds: opts.refreshUserIds.slice(0, 60) }
    : undefined;
  const unreplied = data.tiles.myUnreplied;
  return fitted(
    (budget) =>
      cardActivity(
        adaptiveCard(body(data, opts, budget), [dashboardAction('Refresh', filters)], {
          fullWidth: true,
          ...(refresh ? { refresh } : {}),
        }),
        `Parley: ${unreplied} unreplied for you, ${data.tiles.unreplied} in your groups`,
      ),
    PREVIEW_CHARS,
  );
}

function body(data: HomeData, opts: DashboardOpts, previewChars: number): CardBody {
  const f = opts.filters;
  const list = (items: HomeItem[], more: boolean, empty: string, command: string) =>
    items.length === 0
      ? [line(run(empty, { italic: true, subtle: true }))]
      : [
          ...items.slice(0, MAX_ITEMS).flatMap((i) => itemBlocks(i, opts, previewChars)),
          ...(more || items.length > MAX_ITEMS
            ? [
                line(
                  run(
                    `Showing the latest ${Math.min(items.length, MAX_ITEMS)}. Send "${command}" for the full list.`,
                    { subtle: true },
                  ),
                ),
              ]
            : []),
        ];
  return [
    line(run(`Hi ${oneLine(data.userName, 60)}`, { size: 'Large', bold: true })),
    ...data.tiles.tiles.map((t) => tileRow(t, f)),
    ...csatRows(data),
    // R39: each group's response figures.
    ...(data.sla ?? []).slice(0, 10).map((s) => line(run(`⏱️ ${slaFiguresLine(s)}`, { subtle: true }))),
    heading('My inbox'),
    choice(
      DASHBOARD_INPUTS.myStatus,
      'Status',
      [
        ['Open', 'open'],
        ['Closed', 'closed'],
      ],
      f.my.status,
    ),
    ...list(data.myInbox, data.moreMine, myInboxEmpty(f), 'inbox mine'),
    heading('Team inbox'),
    new ColumnSet({
      columns: [
        new Column(groupChoice(data, f)).withWidth('stretch'),
        new Column(
          choice(
            DASHBOARD_INPUTS.teamShow,
            'Show',
            [
              ['Open', 'all'],
              ['Unassigned', 'unassigned'],
              ['Unreplied', 'unreplied'],
              ['Breaching SLA', 'breaching'],
              ['Closed', 'closed'],
            ],
            f.team.show,
          ),
        ).withWidth('stretch'),
      ],
    }),
    new ActionSet(dashboardAction('Apply filters', f)),
    ...list(data.teamInbox, data.moreTeam, teamInboxEmpty(f), 'inbox team'),
  ];
}

/** R42: the groups' ratings of the last days, each agent's under its group (text runs: data never parses). */
function csatRows(data: HomeData): CardBody {
  if (!data.csat?.length) return [];
  return [
    heading(`Customer ratings, last ${CSAT_SUMMARY_DAYS} days`),
    ...csatLines(data.csat, { withGroupName: true })
      .slice(0, 40)
      .map((l) =>
        line(run(`${l.agent ? '   ' : ''}${oneLine(l.text, 200)}`, { bold: !l.agent, subtle: l.agent })),
      ),
  ];
}

// Our own words only (a TextBlock parses markdown): section titles.
const heading = (text: string) =>
  new TextBlock(text, { size: 'Medium', weight: 'Bolder', separator: true, spacing: 'Large' });

function choice(id: string, label: string, options: [string, string][], value: string) {
  return new ChoiceSetInput(...options.map(([title, v]) => new Choice({ title, value: v })))
    .withId(id)
    .withLabel(label)
    .withStyle('compact')
    .withValue(options.some(([, v]) => v === value) ? value : options[0]![1]);
}

function groupChoice(data: HomeData, f: HomeFilters) {
  const groups: [string, string][] = [
    ['All my groups', ALL_GROUPS],
    ...data.groups.slice(0, MAX_GROUPS).map((g): [string, string] => [oneLine(g.name, 80), g.id]),
  ];
  return choice(DASHBOARD_INPUTS.teamGroup, 'Group', groups, f.team.groupId ?? ALL_GROUPS);
}

/** R26/R13: unreplied figures stand out; the others are plain. */
function tileRow(tile: Tile, f: HomeFilters) {
  const primary = tile.prominence === 'primary';
  const figure = primary
    ? run(`${tile.count > 0 ? '🔴' : '🟢'} ${tile.count}  ${tile.label}`, {
        bold: true,
        ...(tile.count > 0 ? { color: 'Attention' as const } : {}),
      })
    : run(`${tile.count}  ${tile.label}`);
  const where = tile.scope === 'group' ? run('  in your groups', { subtle: true, italic: true }) : '';
  const show = dashboardAction('Show', tileFilters(tile, f)).withAssociatedInputs('none');
  return new ColumnSet({
    columns: [
      new Column(line(figure, where)).withWidth('stretch').withVerticalContentAlignment('Center'),
      new Column(new ActionSet(show)).withWidth('auto'),
    ],
  });
}

/** `🔒 #1042 · Dana · WhatsApp · Ada, Bob · 🔴 2 unreplied`, the time, then the preview. */
function itemBlocks(item: HomeItem, opts: DashboardOpts, previewChars: number): CardBody {
  const name = oneLine(item.contactName ?? 'Unknown contact');
  const title = run(item.number === null ? name : `#${item.number} · ${name}`, { bold: item.unread });
  const url = opts.openLink?.(item);
  if (url && /^https:\/\//i.test(url))
    title.withSelectAction(new OpenUrlAction(url, { title: 'Open' })).withColor('Accent');
  const parts = [` · ${channelName(item.channel)}`];
  if (item.status === 'closed') parts.push(' · closed');
  if (item.assignees.length > 0)
    parts.push(` · ${clipped(item.assignees.map((a) => oneLine(a, 60)).join(', '), 200)}`);
  else if (item.kind === 'conversation' && item.status === 'open') parts.push(' · unassigned');
  const unreplied =
    item.unrepliedCount > 0 ? run(` · 🔴 ${item.unrepliedCount} unreplied`, { color: 'Attention' }) : '';
  const head = line(item.restricted ? '🔒 ' : '', title, run(parts.join(''), { subtle: true }), unreplied);
  const when = localTime(item.lastMessageAt);
  const preview = oneLine(item.preview ?? '', previewChars);
  return [
    when
      ? new ColumnSet({
          separator: true,
          columns: [new Column(head).withWidth('stretch'), new Column(when).withWidth('auto')],
        })
      : head.withSeparator(true),
    ...(preview ? [line(run(preview, { subtle: true }))] : []),
  ];
}

/** The dashboard of someone Parley does not act for (not linked, R33; inactive, R35): what to do, nothing else. */
export function notLinkedDashboardCard(text: string): OutboundActivity {
  const card = adaptiveCard(
    [new TextBlock('Parley', { size: 'Large', weight: 'Bolder' }), line(clipped(text, 2000))],
    [dashboardAction('Try again', parseHomeFilters(null))],
  );
  return cardActivity(card, 'Parley');
}

export const inactiveDashboardCard = (text: string): OutboundActivity => notLinkedDashboardCard(text);
