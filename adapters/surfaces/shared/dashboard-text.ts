/* Words both chat surfaces show on dashboards and digests, so Slack and Teams say the same. */
import { oneLine } from '../../../src/domain/one-line.ts';
import type { HomeFilters } from '../../../src/queries/home-data.ts';
import type { SlaFigures } from '../../../src/queries/sla-figures.ts';

/** What a dashboard says where My inbox is empty (Slack App Home, the Teams dashboard card). */
export const myInboxEmpty = (f: HomeFilters) =>
  f.my.status === 'open'
    ? 'Nothing assigned to you. Enjoy the quiet.'
    : 'No closed conversations assigned to you.';

/** What a dashboard says where Team inbox is empty, for the filter shown. */
export function teamInboxEmpty(f: HomeFilters): string {
  switch (f.team.show) {
    case 'all':
      return 'No open conversations here. All caught up.';
    case 'unassigned':
      return 'Every open conversation has someone on it.';
    case 'unreplied':
      return 'Every customer has an answer. Nice work.';
    case 'breaching':
      return 'No conversation is past its SLA target.';
    case 'closed':
      return 'No closed conversations here.';
  }
}

/** How long a customer has waited, coarse enough to read at a glance: "8 min", "3 h 5 min", "2 d 4 h". */
export function waiting(ms: number): string {
  const minutes = Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 60_000)) : 0;
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

/** R36 in a digest: what the AI agent did in the last 24 hours, tokens included. */
export function aiDigestLine(ai: { answers: number; handoffs: number; tokens: number }): string {
  const n = (count: number, one: string, many = `${one}s`) =>
    `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
  return `AI agent, last 24 h: ${n(ai.answers, 'answer')} · ${n(ai.handoffs, 'handoff')} to the team · ${n(ai.tokens, 'token')}`;
}

/** R42: one group's (or agent's) ratings at a glance: "80% satisfied · 4.20 average · 5 of 7 answered". */
export function csatFiguresText(f: {
  asked: number;
  answered: number;
  average: number | null;
  satisfiedPercent: number | null;
}): string {
  const answered = `${f.answered} of ${f.asked} answered`;
  if (f.average === null) return `no rating yet · ${answered}`;
  return `${f.satisfiedPercent ?? 0}% satisfied · ${f.average.toFixed(2)} average · ${answered}`;
}

/** R42: the CSAT lines of a dashboard or digest: each group, then each of its agents, as plain text. */
export function csatLines(
  groups: {
    groupName: string;
    asked: number;
    answered: number;
    average: number | null;
    satisfiedPercent: number | null;
    agents: {
      name: string;
      asked: number;
      answered: number;
      average: number | null;
      satisfiedPercent: number | null;
    }[];
  }[],
  opts: { withGroupName: boolean },
): { text: string; agent: boolean }[] {
  return groups.flatMap((g) => [
    // Names are clipped, never the figures.
    {
      text: `${opts.withGroupName ? `${oneLine(g.groupName, 60)}: ` : ''}${csatFiguresText(g)}`,
      agent: false,
    },
    ...g.agents.map((a) => ({ text: `${oneLine(a.name, 60)}: ${csatFiguresText(a)}`, agent: true })),
  ]);
}

/**
 * R39 on dashboards and digests: "Billing: first reply in 12 min (median of 40) · 3 of 38 past
 * the target (8 %) · last 7 days". Business minutes, as the targets count them.
 */
export function slaFiguresLine(f: Omit<SlaFigures, 'groupId'>): string {
  const first =
    f.firstResponseMedianMinutes === null
      ? 'no first reply yet'
      : `first reply in ${waiting(f.firstResponseMedianMinutes * 60_000)} (median of ${f.firstResponses})`;
  const breaches =
    f.breachRate === null
      ? 'nothing measured against the target yet'
      : `${f.breached} of ${f.measured} past the target (${Math.round(f.breachRate * 100)} %)`;
  return `${f.groupName}: ${first} · ${breaches} · last 7 days, business hours`;
}
