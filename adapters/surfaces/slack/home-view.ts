import { capabilitiesOf } from '../../../src/domain/channels.ts';
import { CSAT_SUMMARY_DAYS } from '../../../src/queries/csat-summary.ts';
import type { Tile } from '../../../src/queries/dashboard-tiles.ts';
import {
  type HomeData,
  type HomeFilters,
  type HomeItem,
  type HomeThreadLink,
  TEAM_SHOWS,
} from '../../../src/queries/home-data.ts';
import { csatLines, myInboxEmpty, slaFiguresLine, teamInboxEmpty } from '../shared/dashboard-text.ts';
import { escapeClipped, escapeText } from './escape.ts';

/**
 * R26, R32: the Slack App Home tab, drawn from HomeData (pure: data in, view JSON out). Every
 * string we did not write is escaped (contact names, previews, user and group names), and every
 * mrkdwn text is `verbatim`, so data never becomes a mention, a channel link or a URL link.
 */

export type Block = Record<string, unknown>;

export interface HomeView {
  type: 'home';
  private_metadata: string;
  blocks: Block[];
}

/** Slack's limits for a view and its parts. */
const MAX_BLOCKS = 100;
const MAX_OPTIONS = 100;
const MAX_ITEMS_PER_LIST = 40;
const PREVIEW_CHARS = 150;

export const homeActionIds = {
  tile: 'home_tile',
  myFilter: 'home_filter_my',
  groupFilter: 'home_filter_group',
  teamFilter: 'home_filter_team',
  open: 'home_open',
} as const;

const ALL_GROUPS = 'all';

export const plain = (text: string, max = 75): Block => ({
  type: 'plain_text',
  text: escapeClipped(text, max),
});
/** mrkdwn whose data parts are already escaped; `verbatim` stops Slack linking bare names and URLs. */
export const mrkdwn = (text: string): Block => ({
  type: 'mrkdwn',
  text: text.slice(0, 3000),
  verbatim: true,
});
export const section = (text: string, accessory?: Block): Block =>
  accessory ? { type: 'section', text: mrkdwn(text), accessory } : { type: 'section', text: mrkdwn(text) };
export const header = (text: string): Block => ({ type: 'header', text: plain(text, 150) });

/** Link to a thread's first message: `https://acme.slack.com/archives/C123/p1700000000123456`. */
export function threadUrl(teamUrl: string | null, thread: HomeThreadLink | null): string | null {
  if (!teamUrl || !thread) return null;
  if (!/^[A-Za-z0-9_]+$/.test(thread.channel) || !/^\d+\.\d+$/.test(thread.ts)) return null;
  const base = teamUrl.endsWith('/') ? teamUrl : `${teamUrl}/`;
  return `${base}archives/${thread.channel}/p${thread.ts.replace('.', '')}`;
}

export const openButton = (conversationId: string, url: string | null): Block | undefined =>
  url
    ? { type: 'button', action_id: homeActionIds.open, text: plain('Open'), url, value: conversationId }
    : undefined;

/** A time Slack draws in the reader's own time zone ("Today at 9:05 AM"), with a UTC fallback. */
export function slackDate(iso: string | null): string {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(ms)) return '';
  const fallback = new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} at {time}|${fallback}>`;
}

export const channelLabel = (channel: string): string =>
  channel === 'internal' ? 'Internal chat' : (capabilitiesOf(channel)?.label ?? channel);

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** R39: each group's response figures, one line each (a context block takes ten). */
function slaBlocks(data: HomeData): Block[] {
  if (!data.sla?.length) return [];
  const lines = data.sla.slice(0, 10).map((f) => mrkdwn(`:stopwatch: ${escapeText(slaFiguresLine(f))}`));
  return [{ type: 'context', block_id: 'home_sla', elements: lines }];
}

export function homeView(data: HomeData, opts: { teamUrl: string | null }): HomeView {
  const blocks: Block[] = [
    header(`Hi ${data.userName}`),
    ...data.tiles.tiles.map(tileBlock),
    ...csatBlocks(data),
    ...slaBlocks(data),
    { type: 'divider' },
    header('My inbox'),
    { type: 'actions', block_id: 'home_my_filters', elements: [myFilter(data.filters)] },
    ...listBlocks('my', data.myInbox, data.moreMine, myInboxEmpty(data.filters), opts.teamUrl),
    { type: 'divider' },
    header('Team inbox'),
    { type: 'actions', block_id: 'home_team_filters', elements: teamFilters(data) },
    ...listBlocks('team', data.teamInbox, data.moreTeam, teamInboxEmpty(data.filters), opts.teamUrl),
  ];
  return {
    type: 'home',
    private_metadata: JSON.stringify(data.filters),
    blocks: blocks.slice(0, MAX_BLOCKS),
  };
}

/** R42: the groups' ratings of the last days, each agent's under its group. */
function csatBlocks(data: HomeData): Block[] {
  if (!data.csat?.length) return [];
  const lines = csatLines(data.csat, { withGroupName: true }).map((l) =>
    l.agent ? `      ${escapeText(l.text)}` : `*${escapeText(l.text)}*`,
  );
  // A section holds 3000 characters: a long team list is cut at a whole line.
  let text = `:star: *Customer ratings, last ${CSAT_SUMMARY_DAYS} days*`;
  for (const l of lines) {
    if (text.length + l.length + 1 > 2900) break;
    text += `\n${l}`;
  }
  return [section(text)];
}

/** R26/R13: the unreplied tiles stand out (emoji, bold, primary button); the others are plain. */
function tileBlock(tile: Tile): Block {
  const where = tile.scope === 'group' ? ' _in your groups_' : '';
  const text =
    tile.prominence === 'primary'
      ? `${tile.count > 0 ? ':red_circle:' : ':large_green_circle:'} *${tile.count}  ${escapeText(tile.label)}*${where}`
      : `${tile.count}  ${escapeText(tile.label)}${where}`;
  const button: Block = {
    type: 'button',
    action_id: homeActionIds.tile,
    text: plain('Show'),
    value: tile.key,
  };
  if (tile.prominence === 'primary' && tile.count > 0) button.style = 'primary';
  return { ...section(text, button), block_id: `home_tile_${tile.key}` };
}

type Option = { text: Block; value: string };
const option = (label: string, value: string): Option => ({ text: plain(label), value });
const select = (actionId: string, placeholder: string, options: Option[], value: string): Block => ({
  type: 'static_select',
  action_id: actionId,
  placeholder: plain(placeholder),
  options,
  initial_option: options.find((o) => o.value === value) ?? options[0],
});

function myFilter(filters: HomeFilters): Block {
  const options = [option('Open', 'open'), option('Closed', 'closed')];
  return select(homeActionIds.myFilter, 'Status', options, filters.my.status);
}

function teamFilters(data: HomeData): Block[] {
  const groups = [
    option('All my groups', ALL_GROUPS),
    ...data.groups.slice(0, MAX_OPTIONS - 1).map((g) => option(g.name, g.id)),
  ];
  const shows = [
    option('Open', 'all'),
    option('Unassigned', 'unassigned'),
    option('Unreplied', 'unreplied'),
    option('Breaching SLA', 'breaching'),
    option('Closed', 'closed'),
  ];
  return [
    select(homeActionIds.groupFilter, 'Group', groups, data.filters.team.groupId ?? ALL_GROUPS),
    select(homeActionIds.teamFilter, 'Show', shows, data.filters.team.show),
  ];
}

function listBlocks(
  list: 'my' | 'team',
  items: HomeItem[],
  more: boolean,
  empty: string,
  teamUrl: string | null,
): Block[] {
  if (items.length === 0) return [{ type: 'context', elements: [mrkdwn(empty)] }];
  const shown = items.slice(0, MAX_ITEMS_PER_LIST);
  const blocks: Block[] = shown.map((item) => ({
    ...section(itemText(item), openButton(item.conversationId, threadUrl(teamUrl, item.thread))),
    block_id: `home_${list}_${item.conversationId}`,
  }));
  if (more || shown.length < items.length) {
    const command = list === 'my' ? '/parley inbox mine' : '/parley inbox team';
    blocks.push({
      type: 'context',
      elements: [mrkdwn(`Showing the latest ${shown.length}. Type \`${command}\` for the full list.`)],
    });
  }
  return blocks;
}

/** `#1042 · Dana Customer · WhatsApp · Alice, Bob · 2 unreplied · Today at 9:05`, then the preview. */
export function itemText(item: HomeItem): string {
  const name = escapeClipped(item.contactName ?? 'Unknown contact', 80);
  const title = item.number === null ? name : `#${item.number} · ${name}`;
  const parts = [
    `${item.restricted ? ':lock: ' : ''}${item.unread ? `*${title}*` : title}`,
    escapeText(channelLabel(item.channel)),
  ];
  if (item.status === 'closed') parts.push('closed');
  if (item.assignees.length > 0) parts.push(escapeClipped(item.assignees.join(', '), 200));
  else if (item.kind === 'conversation' && item.status === 'open') parts.push('unassigned');
  if (item.unrepliedCount > 0) parts.push(`:red_circle: ${item.unrepliedCount} unreplied`);
  const when = slackDate(item.lastMessageAt);
  if (when) parts.push(when);
  const preview = item.preview?.replace(/\s+/g, ' ').trim();
  return parts.join(' · ') + (preview ? `\n${escapeClipped(preview, PREVIEW_CHARS)}` : '');
}

/**
 * The filters after a click on the App Home (the interaction's action_id and the button value or
 * selected option value); null for an action that does not change them (an Open link).
 * Tiles show their list: the viewer's own tiles My inbox (open), group tiles Team inbox.
 */
export function applyHomeAction(filters: HomeFilters, actionId: string, value: string): HomeFilters | null {
  const next: HomeFilters = { my: { ...filters.my }, team: { ...filters.team } };
  switch (actionId) {
    case homeActionIds.myFilter:
      if (value !== 'open' && value !== 'closed') return null;
      next.my.status = value;
      return next;
    case homeActionIds.groupFilter:
      if (value !== ALL_GROUPS && !/^[0-9a-f-]{36}$/i.test(value)) return null;
      next.team.groupId = value === ALL_GROUPS ? null : value;
      return next;
    case homeActionIds.teamFilter:
      if (!TEAM_SHOWS.includes(value as HomeFilters['team']['show'])) return null;
      next.team.show = value as HomeFilters['team']['show'];
      return next;
    case homeActionIds.tile:
      if (value === 'myUnreplied' || value === 'assignedToMe') next.my.status = 'open';
      else if (value === 'unassigned' || value === 'unreplied' || value === 'breaching')
        next.team = { groupId: null, show: value };
      else return null;
      return next;
    default:
      return null;
  }
}
