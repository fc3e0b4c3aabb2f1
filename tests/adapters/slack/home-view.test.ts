import { describe, expect, it } from 'vitest';
import { applyHomeAction, homeView } from '../../../adapters/surfaces/slack/home-view.ts';
import type { Tile } from '../../../src/queries/dashboard-tiles.ts';
import {
  defaultHomeFilters,
  type HomeData,
  type HomeFilters,
  type HomeItem,
  parseHomeFilters,
} from '../../../src/queries/home-data.ts';

const INJECTION = '<!channel> <@U1> <https://x|y> & Co';
const GROUP_ID = '11111111-1111-4111-8111-111111111111';
const TEAM_URL = 'https://acme.slack.com/';

const tiles: Tile[] = [
  {
    key: 'myUnreplied',
    label: 'My unreplied messages',
    count: 3,
    scope: 'me',
    unit: 'messages',
    prominence: 'primary',
  },
  {
    key: 'assignedToMe',
    label: 'Assigned to me',
    count: 2,
    scope: 'me',
    unit: 'conversations',
    prominence: 'secondary',
  },
  {
    key: 'unreplied',
    label: 'Unreplied messages',
    count: 0,
    scope: 'group',
    unit: 'messages',
    prominence: 'primary',
  },
  {
    key: 'unassigned',
    label: 'Unassigned conversations',
    count: 4,
    scope: 'group',
    unit: 'conversations',
    prominence: 'secondary',
  },
];

const item = (n: number, over: Partial<HomeItem> = {}): HomeItem => ({
  conversationId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  number: 1000 + n,
  kind: 'conversation',
  contactName: `Contact ${n}`,
  channel: 'whatsapp',
  status: 'open',
  assignees: ['Alice'],
  unrepliedCount: 1,
  unread: false,
  restricted: false,
  lastMessageAt: '2026-03-01T09:05:00.000Z',
  preview: 'Where is my parcel?',
  thread: { channel: 'C_SUPPORT', ts: '1700000000.000100' },
  ...over,
});

const data = (over: Partial<HomeData> = {}): HomeData => ({
  userName: 'Alice',
  tiles: { assignedToMe: 2, myUnreplied: 3, unassigned: 4, unreplied: 0, breaching: 0, tiles },
  myInbox: [item(1)],
  teamInbox: [item(1), item(2, { assignees: [], thread: null })],
  groups: [{ id: GROUP_ID, name: 'Support' }],
  filters: defaultHomeFilters,
  moreMine: false,
  moreTeam: false,
  ...over,
});

// biome-ignore lint/suspicious/noExplicitAny: the test reads Block Kit JSON loosely
type Block = Record<string, any>;
const textOf = (b: Block): string => b.text?.text ?? '';
const blockById = (view: { blocks: object[] }, id: string) =>
  (view.blocks as Block[]).find((b) => b.block_id === id);
const selects = (view: { blocks: object[] }) =>
  (view.blocks as Block[]).flatMap((b) => (b.type === 'actions' ? b.elements : []));

describe('App Home view', () => {
  it('R26: the tiles come first, in the dashboard order, the unreplied ones most prominent', () => {
    const view = homeView(data(), { teamUrl: TEAM_URL });
    const tileBlocks = (view.blocks as Block[]).filter((b) => String(b.block_id).startsWith('home_tile_'));
    expect(tileBlocks.map((b) => b.accessory.value)).toEqual([
      'myUnreplied',
      'assignedToMe',
      'unreplied',
      'unassigned',
    ]);
    expect((view.blocks as Block[]).indexOf(tileBlocks[3]!)).toBeLessThan(
      (view.blocks as Block[]).findIndex((b) => b.type === 'header' && b.text.text === 'My inbox'),
    );
    const [myUnreplied, assigned, unreplied] = tileBlocks;
    expect(textOf(myUnreplied!)).toMatch(/^:red_circle: \*3 {2}My unreplied messages\*/);
    expect(myUnreplied!.accessory).toMatchObject({ action_id: 'home_tile', style: 'primary' });
    expect(textOf(assigned!)).toBe('2  Assigned to me');
    expect(assigned!.accessory.style).toBeUndefined();
    // Nothing waiting: still bold, but calm.
    expect(textOf(unreplied!)).toMatch(/^:large_green_circle: \*0 {2}Unreplied messages\*/);
  });

  it('R28: each item links to its Slack thread; without a thread or workspace URL there is no link', () => {
    const view = homeView(data(), { teamUrl: TEAM_URL });
    const first = blockById(view, `home_my_${item(1).conversationId}`);
    expect(textOf(first!)).toContain(
      '#1001 · Contact 1 · WhatsApp · Alice · :red_circle: 1 unreplied · <!date^',
    );
    expect(textOf(first!)).toContain('\nWhere is my parcel?');
    expect(first!.accessory).toMatchObject({
      type: 'button',
      action_id: 'home_open',
      url: 'https://acme.slack.com/archives/C_SUPPORT/p1700000000000100',
    });
    expect(blockById(view, `home_team_${item(2).conversationId}`)?.accessory).toBeUndefined();
    const noUrl = homeView(data(), { teamUrl: null });
    expect(blockById(noUrl, `home_my_${item(1).conversationId}`)?.accessory).toBeUndefined();
  });

  it('R17 R28: markup in customer and user data comes out escaped, never as a mention or link', () => {
    const evil = item(3, {
      contactName: INJECTION,
      preview: `${INJECTION} <!here>`,
      assignees: ['<@U2>'],
      thread: { channel: 'C1', ts: '1.2' },
    });
    const view = homeView(
      data({
        userName: '<!everyone>',
        myInbox: [evil],
        teamInbox: [evil],
        groups: [{ id: GROUP_ID, name: '<!subteam^S1> & friends' }],
        filters: { ...defaultHomeFilters, team: { groupId: GROUP_ID, show: 'all' } },
      }),
      { teamUrl: TEAM_URL },
    );
    const json = JSON.stringify(view);
    // The only `<` we send are Slack date tokens of our own.
    const angles = json.match(/<[^>]*>?/g) ?? [];
    expect(angles.length).toBeGreaterThan(0);
    for (const a of angles)
      expect(a).toMatch(/^<!date\^\d+\^\{date_short_pretty\} at \{time\}\|[\d: -]+UTC>$/);
    expect(json).toContain('&lt;!channel&gt; &lt;@U1&gt; &lt;https://x|y&gt; &amp; Co');
    expect(json).toContain('&lt;@U2&gt;');
    expect(json).toContain('&lt;!subteam^S1&gt; &amp; friends');
    expect(json).toContain('Hi &lt;!everyone&gt;');
    const mrkdwns =
      JSON.stringify(view).match(/"type":"mrkdwn","text":"[^"]*","verbatim":(true|false)/g) ?? [];
    expect(mrkdwns.length).toBeGreaterThan(0);
    for (const m of mrkdwns) expect(m).toMatch(/"verbatim":true$/);
  });

  it('R32: the filters round-trip through private_metadata and show as the selected options', () => {
    const filters: HomeFilters = { my: { status: 'closed' }, team: { groupId: GROUP_ID, show: 'unreplied' } };
    const view = homeView(data({ filters }), { teamUrl: TEAM_URL });
    expect(parseHomeFilters(view.private_metadata)).toEqual(filters);
    const [my, group, show] = selects(view);
    expect(my).toMatchObject({ action_id: 'home_filter_my', initial_option: { value: 'closed' } });
    expect(group).toMatchObject({ action_id: 'home_filter_group', initial_option: { value: GROUP_ID } });
    expect(group.options.map((o: Block) => o.text.text)).toEqual(['All my groups', 'Support']);
    expect(show).toMatchObject({ action_id: 'home_filter_team', initial_option: { value: 'unreplied' } });
    for (const s of [my, group, show]) expect(s.options).toContainEqual(s.initial_option);
  });

  it('R32: a pick on the Home gives the next filters; each tile opens the list behind it', () => {
    const start = defaultHomeFilters;
    expect(applyHomeAction(start, 'home_filter_my', 'closed')?.my.status).toBe('closed');
    expect(applyHomeAction(start, 'home_filter_group', GROUP_ID)?.team.groupId).toBe(GROUP_ID);
    expect(
      applyHomeAction({ ...start, team: { groupId: GROUP_ID, show: 'all' } }, 'home_filter_group', 'all')
        ?.team.groupId,
    ).toBeNull();
    expect(applyHomeAction(start, 'home_filter_team', 'closed')?.team.show).toBe('closed');
    const closedMine: HomeFilters = { my: { status: 'closed' }, team: { groupId: GROUP_ID, show: 'closed' } };
    expect(applyHomeAction(closedMine, 'home_tile', 'myUnreplied')).toEqual({
      ...closedMine,
      my: { status: 'open' },
    });
    expect(applyHomeAction(closedMine, 'home_tile', 'unassigned')?.team).toEqual({
      groupId: null,
      show: 'unassigned',
    });
    expect(applyHomeAction(closedMine, 'home_tile', 'unreplied')?.team).toEqual({
      groupId: null,
      show: 'unreplied',
    });
    expect(applyHomeAction(start, 'home_filter_team', 'everything')).toBeNull();
    expect(applyHomeAction(start, 'home_open', 'x')).toBeNull();
  });

  it('R32: empty lists say so kindly', () => {
    const view = homeView(data({ myInbox: [], teamInbox: [] }), { teamUrl: TEAM_URL });
    const json = JSON.stringify(view);
    expect(json).toContain('Nothing assigned to you. Enjoy the quiet.');
    expect(json).toContain('No open conversations here.');
  });

  it("R32: within Slack's limits with many items, groups and long text", () => {
    const many = Array.from({ length: 150 }, (_, i) =>
      item(i, { preview: 'x'.repeat(5000), contactName: '&'.repeat(500) }),
    );
    const groups = Array.from({ length: 150 }, (_, i) => ({
      id: `${GROUP_ID.slice(0, 24)}${String(i).padStart(12, '0')}`,
      name: `Group ${i} ${'&'.repeat(100)}`,
    }));
    const view = homeView(data({ myInbox: many, teamInbox: many, groups, moreMine: true }), {
      teamUrl: TEAM_URL,
    });
    expect(view.blocks.length).toBeLessThanOrEqual(100);
    for (const s of selects(view)) {
      expect(s.options.length).toBeLessThanOrEqual(100);
      for (const o of s.options) expect(o.text.text.length).toBeLessThanOrEqual(75);
      for (const o of s.options) expect(o.text.text).not.toMatch(/&[a-z]*…/);
    }
    for (const b of view.blocks as Block[]) expect(textOf(b).length).toBeLessThanOrEqual(3000);
    const preview = textOf(blockById(view, `home_my_${item(0).conversationId}`)!).split('\n')[1]!;
    expect(preview.length).toBeLessThanOrEqual(150);
    expect(JSON.stringify(view)).toContain('Showing the latest');
  });
});
