import { describe, expect, it } from 'vitest';
import { waiting } from '../../../adapters/surfaces/shared/dashboard-text.ts';
import {
  activityBytes,
  cardOf,
  TEAMS_MESSAGE_MAX_BYTES,
} from '../../../adapters/surfaces/teams/cards/card-kit.ts';
import {
  DASHBOARD_INPUTS,
  dashboardCard,
  inactiveDashboardCard,
  notLinkedDashboardCard,
  parseDashboardAction,
} from '../../../adapters/surfaces/teams/cards/dashboard-card.ts';
import { digestCard } from '../../../adapters/surfaces/teams/cards/digest-card.ts';
import { CARD_VERBS } from '../../../adapters/surfaces/teams/ports.ts';
import type { Tile } from '../../../src/queries/dashboard-tiles.ts';
import type { DigestData } from '../../../src/queries/digest-data.ts';
import { defaultHomeFilters, type HomeData, type HomeItem } from '../../../src/queries/home-data.ts';
import { INJECTIONS, inMarkdown, nodes, shownTexts, textBlockTexts } from './cards-support.ts';

const GROUP = '11111111-1111-4111-8111-111111111111';
const tile = (key: Tile['key'], count: number, scope: Tile['scope'], primary: boolean): Tile => ({
  key,
  label: {
    myUnreplied: 'My unreplied messages',
    assignedToMe: 'Assigned to me',
    unreplied: 'Unreplied messages',
    unassigned: 'Unassigned conversations',
    breaching: 'Breaching SLA',
  }[key],
  count,
  scope,
  unit: 'messages',
  prominence: primary ? 'primary' : 'secondary',
});
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
  lastMessageAt: '2026-03-01T09:05:00.123Z',
  preview: 'Where is my parcel?',
  thread: null,
  ...over,
});
const data = (over: Partial<HomeData> = {}): HomeData => ({
  userName: 'Alice',
  tiles: {
    assignedToMe: 2,
    myUnreplied: 3,
    unassigned: 4,
    unreplied: 0,
    breaching: 0,
    tiles: [
      tile('myUnreplied', 3, 'me', true),
      tile('assignedToMe', 2, 'me', false),
      tile('unreplied', 0, 'group', true),
      tile('unassigned', 4, 'group', false),
    ],
  },
  myInbox: [item(1)],
  teamInbox: [item(1), item(2, { assignees: [], restricted: true, unread: true })],
  groups: [{ id: GROUP, name: 'Support' }],
  filters: defaultHomeFilters,
  moreMine: false,
  moreTeam: true,
  ...over,
});
const filters = defaultHomeFilters;

describe('the Teams dashboard (R26, R32)', () => {
  it('R26: shows the tiles, My inbox and Team inbox from the data given, and nothing else', () => {
    const a = dashboardCard(data(), { filters });
    const text = shownTexts(a).join('\n');
    expect(text).toContain('Hi Alice');
    expect(text).toContain('🔴 3  My unreplied messages');
    expect(text).toContain('🟢 0  Unreplied messages');
    expect(text).toContain('4  Unassigned conversations');
    expect(text).toContain('#1001 · Contact 1');
    expect(text).toContain('#1002 · Contact 2');
    expect(text).toContain('Showing the latest 2. Send "inbox team" for the full list.');
    // Only the conversations given: no other number or contact appears.
    expect(text.match(/#\d+/g)?.sort()).toEqual(['#1001', '#1001', '#1002']);
    expect(JSON.stringify(cardOf(a))).not.toMatch(/Contact [3-9]/);
    expect(a.summary).toBe('Parley: 3 unreplied for you, 0 in your groups');
    const times = textBlockTexts(a).filter((t) => t.includes('DATE('));
    expect(times[0]).toBe('{{DATE(2026-03-01T09:05:00Z, SHORT)}} {{TIME(2026-03-01T09:05:00Z)}}');
  });

  it('R17: a restricted conversation is marked, and the empty lists say so', () => {
    expect(shownTexts(dashboardCard(data(), { filters })).join()).toContain('🔒 ');
    const empty = shownTexts(
      dashboardCard(data({ myInbox: [], teamInbox: [], moreTeam: false }), { filters }),
    );
    expect(empty).toContain('Nothing assigned to you. Enjoy the quiet.');
    expect(empty).toContain('No open conversations here. All caught up.');
  });

  it('R32: filters are inputs applied by an Action.Execute; tiles ask for their own list', () => {
    const f = { my: { status: 'closed' as const }, team: { groupId: GROUP, show: 'unreplied' as const } };
    const a = dashboardCard(data(), { filters: f });
    const inputs = nodes(a).filter((n) => n.type === 'Input.ChoiceSet');
    expect(Object.fromEntries(inputs.map((i) => [i.id, i.value]))).toEqual({
      [DASHBOARD_INPUTS.myStatus]: 'closed',
      [DASHBOARD_INPUTS.teamGroup]: GROUP,
      [DASHBOARD_INPUTS.teamShow]: 'unreplied',
    });
    const executes = nodes(a).filter((n) => n.type === 'Action.Execute');
    expect(executes.every((e) => e.verb === CARD_VERBS.dashboard)).toBe(true);
    const apply = executes.find((e) => e.title === 'Apply filters');
    expect(apply?.data).toEqual({ filters: f });
    const shows = executes.filter((e) => e.title === 'Show');
    expect(shows.every((s) => s.associatedInputs === 'none')).toBe(true);
    expect(shows.map((s) => s.data.filters)).toContainEqual({
      my: f.my,
      team: { groupId: null, show: 'unassigned' },
    });
    expect(shows.map((s) => s.data.filters)).toContainEqual({ my: { status: 'open' }, team: f.team });
  });

  it('R32: a button press reads back as filters; inputs win; bad values fall back to the defaults', () => {
    expect(
      parseDashboardAction({
        filters: defaultHomeFilters,
        myStatus: 'closed',
        teamGroup: GROUP,
        teamShow: 'unassigned',
      }),
    ).toEqual({
      my: { status: 'closed' },
      team: { groupId: GROUP, show: 'unassigned' },
    });
    expect(
      parseDashboardAction({
        filters: { my: { status: 'closed' }, team: { groupId: GROUP, show: 'all' } },
        teamGroup: 'all',
      }),
    ).toEqual({
      my: { status: 'closed' },
      team: { groupId: null, show: 'all' },
    });
    expect(parseDashboardAction({ myStatus: 'drop table', teamGroup: 'not-a-group', teamShow: 7 })).toEqual(
      defaultHomeFilters,
    );
    expect(parseDashboardAction('nonsense')).toEqual(defaultHomeFilters);
  });

  it('R26: each viewer can be given their own refresh; the card stays under the size limit', () => {
    const many = Array.from({ length: 40 }, (_, i) =>
      item(i, { preview: 'p'.repeat(2000), contactName: 'n'.repeat(300) }),
    );
    const a = dashboardCard(data({ myInbox: many, teamInbox: many }), {
      filters,
      refreshUserIds: ['29:alice'],
    });
    expect(activityBytes(a)).toBeLessThanOrEqual(TEAMS_MESSAGE_MAX_BYTES);
    expect(cardOf(a).refresh).toMatchObject({
      userIds: ['29:alice'],
      action: { type: 'Action.Execute', verb: CARD_VERBS.dashboard },
    });
    expect(cardOf(dashboardCard(data(), { filters })).refresh).toBeUndefined();
  });

  it('R28: names and previews cannot inject markdown, links or mentions', () => {
    for (const evil of INJECTIONS) {
      const a = dashboardCard(
        data({
          userName: evil,
          myInbox: [item(1, { contactName: evil, preview: evil, assignees: [evil] })],
          groups: [{ id: GROUP, name: evil }],
        }),
        { filters },
      );
      expect(inMarkdown(a, evil)).toBe(false);
      expect(nodes(a).some((n) => n.type === 'Action.OpenUrl')).toBe(false);
    }
  });

  it('R33, R35: someone Parley does not act for sees what to do and no conversation', () => {
    for (const make of [notLinkedDashboardCard, inactiveDashboardCard]) {
      const a = make('Ask a Parley admin to link you.');
      expect(shownTexts(a)).toEqual(['Parley', 'Ask a Parley admin to link you.']);
      expect(JSON.stringify(a)).not.toMatch(/#\d|Contact/);
    }
  });
});

describe('the Teams digest (R27)', () => {
  const digest = (over: Partial<DigestData> = {}): DigestData => ({
    groupId: GROUP,
    groupName: 'Support',
    slackChannelId: null,
    figures: { unreplied: 3, unassigned: 1, open: 5 },
    oldestUnreplied: [
      {
        conversationId: 'c1',
        number: 1042,
        contactName: 'Dana',
        channel: 'sms',
        unrepliedCount: 2,
        oldestUnrepliedAt: '2026-03-01T06:00:00Z',
        thread: null,
      },
    ],
    ...over,
  });

  it('R42: the ratings of the group, then each agent’s, only where there are some; names stay plain text', () => {
    const now = new Date('2026-03-01T09:05:00Z');
    const figures = { asked: 4, answered: 3, skipped: 1, average: 4.33, satisfiedPercent: 67 };
    const csat = {
      groupId: GROUP,
      groupName: 'Support',
      ...figures,
      agents: [
        {
          userId: 'u1',
          name: INJECTIONS[0]!,
          ...figures,
          asked: 1,
          answered: 1,
          average: 5,
          satisfiedPercent: 100,
        },
      ],
    };
    const text = shownTexts(digestCard(digest({ csat }), { now })).join('\n');
    expect(text).toContain('Customer ratings, last 7 days: 67% satisfied · 4.33 average · 3 of 4 answered');
    expect(text).toContain('100% satisfied · 5.00 average · 1 of 1 answered');
    expect(shownTexts(digestCard(digest(), { now })).join('')).not.toContain('Customer ratings');
    const dashboard = shownTexts(dashboardCard(data({ csat: [csat] }), { filters })).join('\n');
    expect(dashboard).toContain('Support: 67% satisfied · 4.33 average · 3 of 4 answered');
    expect(inMarkdown(dashboardCard(data({ csat: [csat] }), { filters }), INJECTIONS[0]!)).toBe(false);
  });

  it('R36: the AI agent line (answers, handoffs, tokens) only where the group has one', () => {
    const now = new Date('2026-03-01T09:05:00Z');
    const withAi = shownTexts(digestCard(digest({ ai: { answers: 1, handoffs: 2, tokens: 900 } }), { now }));
    expect(withAi.join('')).toContain('AI agent, last 24 h: 1 answer · 2 handoffs to the team · 900 tokens');
    expect(shownTexts(digestCard(digest(), { now })).join('')).not.toContain('AI agent');
  });

  it('R27: the figures, unreplied first, then who waits longest and for how long', () => {
    const a = digestCard(digest(), { now: new Date('2026-03-01T09:05:00Z') });
    const text = shownTexts(a).join('');
    expect(text).toContain('Digest · Support');
    expect(text).toContain('🔴 3 unreplied   1 unassigned   5 open');
    expect(text).toContain('#1042 · Dana · SMS · 2 unreplied · waiting 3 h 5 min');
    expect(a.summary).toBe(
      'Support digest: 3 unreplied messages, 1 unassigned conversation, 5 open conversations.',
    );
    const calm = shownTexts(
      digestCard(digest({ figures: { unreplied: 0, unassigned: 0, open: 0 }, oldestUnreplied: [] }), {
        now: new Date(),
      }),
    );
    expect(calm.join('')).toContain('No customer is waiting for a reply.');
    expect(waiting(59_000)).toBe('under a minute');
    expect(waiting(2 * 86_400_000 + 4 * 3_600_000)).toBe('2 d 4 h');
  });

  it('R27: a thread link is offered only as an https link the caller gives', () => {
    const a = digestCard(digest(), {
      now: new Date(),
      openLink: () => 'https://teams.microsoft.com/l/message/x',
    });
    expect(nodes(a).find((n) => n.type === 'Action.OpenUrl')?.url).toBe(
      'https://teams.microsoft.com/l/message/x',
    );
    const bad = digestCard(digest(), { now: new Date(), openLink: () => 'javascript:alert(1)' });
    expect(nodes(bad).some((n) => n.type === 'Action.OpenUrl')).toBe(false);
  });
});
