import { describe, expect, it } from 'vitest';
import { digestMessage } from '../../adapters/surfaces/slack/digest-message.ts';
import { homeView } from '../../adapters/surfaces/slack/home-view.ts';
import { headerMessage } from '../../adapters/surfaces/slack/thread-blocks.ts';
import { dashboardCard } from '../../adapters/surfaces/teams/cards/dashboard-card.ts';
import { digestCard } from '../../adapters/surfaces/teams/cards/digest-card.ts';
import { headerCard } from '../../adapters/surfaces/teams/cards/header-card.ts';
import type { ThreadHeader } from '../../src/ports/agent-surface.ts';
import type { DigestData } from '../../src/queries/digest-data.ts';
import { defaultHomeFilters, type HomeData } from '../../src/queries/home-data.ts';
import { shownTexts } from './teams/cards-support.ts';

/** R39 drawn the same on Slack and Teams (the parity rule): the header flag, the digest and dashboard figures. */
const header = (over: Partial<ThreadHeader> = {}): ThreadHeader => ({
  conversationId: '0b6c1d2e-3f40-4a51-8b62-7c8d9e0f1a2b',
  number: 1042,
  contactName: 'Dana Customer',
  channel: 'sms',
  status: 'open',
  assignees: [],
  unrepliedCount: 1,
  restricted: false,
  aiState: 'off',
  ...over,
});
const figures = {
  groupId: 'g1',
  groupName: 'Support',
  firstResponses: 40,
  firstResponseMedianMinutes: 12,
  measured: 38,
  breached: 3,
  breachRate: 3 / 38,
};
const digest: DigestData = {
  groupId: 'g1',
  groupName: 'Support',
  slackChannelId: 'C1',
  figures: { unreplied: 1, unassigned: 1, open: 2 },
  oldestUnreplied: [],
  sla: { ...figures, breachingNow: 2 },
};
const home: HomeData = {
  userName: 'Alice',
  tiles: {
    assignedToMe: 0,
    myUnreplied: 0,
    unassigned: 0,
    unreplied: 0,
    breaching: 2,
    tiles: [
      {
        key: 'breaching',
        label: 'Breaching SLA',
        count: 2,
        scope: 'group',
        unit: 'conversations',
        prominence: 'primary',
      },
    ],
  },
  myInbox: [],
  teamInbox: [],
  groups: [{ id: 'g1', name: 'Support' }],
  filters: defaultHomeFilters,
  moreMine: false,
  moreTeam: false,
  sla: [figures],
};
const LINE =
  'Support: first reply in 12 min (median of 40) · 3 of 38 past the target (8 %) · last 7 days, business hours';

describe('SLA on both surfaces (R39)', () => {
  it('R39: the header flags a breach with since when the customer waits, on Slack and on Teams; nothing when none', () => {
    const flagged = header({ slaBreached: { waitingSince: 'Fri, 17:50 CET' } });
    const slack = JSON.stringify(headerMessage(flagged).blocks);
    const teams = shownTexts(headerCard(flagged, { place: 'channel' })).join('\n');
    for (const shown of [slack, teams]) {
      expect(shown).toContain('SLA breached');
      expect(shown).toContain('the customer has waited for a reply since Fri, 17:50 CET.');
    }
    expect(JSON.stringify(headerMessage(header()).blocks)).not.toContain('SLA');
    expect(shownTexts(headerCard(header(), { place: 'channel' })).join('\n')).not.toContain('SLA');
  });

  it('R39: the digest shows how many breach now and the week’s first-response time and breach rate', () => {
    const now = new Date('2026-03-01T09:05:00Z');
    const slack = JSON.stringify(digestMessage(digest, { teamUrl: null, now }).blocks);
    const teams = shownTexts(digestCard(digest, { now })).join('\n');
    for (const shown of [slack, teams]) {
      expect(shown).toMatch(/2 +past the SLA target now/);
      expect(shown).toContain(LINE.replace('Support:', 'Response times:'));
    }
    expect(
      JSON.stringify(digestMessage({ ...digest, sla: null }, { teamUrl: null, now }).blocks),
    ).not.toContain('SLA');
  });

  it('R39: the dashboard shows the breaching tile and each group’s figures', () => {
    const slack = JSON.stringify(homeView(home, { teamUrl: null }).blocks);
    const teams = shownTexts(dashboardCard(home, { filters: defaultHomeFilters })).join('\n');
    for (const shown of [slack, teams]) {
      expect(shown).toContain('Breaching SLA');
      expect(shown).toContain(LINE);
    }
  });
});
