import { CSAT_SUMMARY_DAYS } from '../../../src/queries/csat-summary.ts';
import type { DigestData, DigestItem } from '../../../src/queries/digest-data.ts';
import { aiDigestLine, csatLines, slaFiguresLine, waiting } from '../shared/dashboard-text.ts';
import { escapeClipped, escapeText } from './escape.ts';
import {
  type Block,
  channelLabel,
  header,
  mrkdwn,
  openButton,
  plural,
  section,
  slackDate,
  threadUrl,
} from './home-view.ts';

/**
 * R27: a group's digest as a Slack message for its channel (pure: data in, message JSON out): the
 * figures, unreplied most prominent (R13), then the conversations waiting longest, each with a
 * link to its thread. Names are escaped and mrkdwn is verbatim, as on App Home.
 */
export interface DigestMessage {
  text: string;
  blocks: Block[];
}

export function digestMessage(data: DigestData, opts: { teamUrl: string | null; now: Date }): DigestMessage {
  const { unreplied, unassigned, open } = data.figures;
  const group = escapeClipped(data.groupName, 100);
  const text =
    `${group} digest: ${plural(unreplied, 'unreplied message')}, ` +
    `${plural(unassigned, 'unassigned conversation')}, ${plural(open, 'open conversation')}.`;
  const blocks: Block[] = [
    header(`Digest · ${data.groupName}`),
    {
      type: 'section',
      fields: [
        mrkdwn(`${unreplied > 0 ? ':red_circle:' : ':large_green_circle:'} *${unreplied}  unreplied*`),
        mrkdwn(`${unassigned}  unassigned`),
        mrkdwn(`${open}  open`),
      ],
    },
  ];
  if (data.ai) blocks.push({ type: 'context', elements: [mrkdwn(`:robot_face: ${aiDigestLine(data.ai)}`)] });
  // R42: the group's ratings, then each agent's (a context block holds at most 10 elements).
  if (data.csat) {
    const lines = csatLines([data.csat], { withGroupName: false }).slice(0, 9);
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `:star: Customer ratings, last ${CSAT_SUMMARY_DAYS} days: ${escapeText(lines[0]?.text ?? '')}`,
        ),
        ...lines.slice(1).map((l) => mrkdwn(escapeText(l.text))),
      ],
    });
  }
  if (data.sla) {
    const now = data.sla.breachingNow;
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(`${now > 0 ? ':rotating_light:' : ':stopwatch:'} *${now}  past the SLA target now*`),
        mrkdwn(escapeText(slaFiguresLine({ ...data.sla, groupName: 'Response times' }))),
      ],
    });
  }
  if (data.oldestUnreplied.length === 0) {
    blocks.push(section('No customer is waiting for a reply. :tada:'));
  } else {
    blocks.push(section('*Waiting longest for a reply*'));
    for (const item of data.oldestUnreplied) {
      blocks.push(
        section(
          itemLine(item, opts.now),
          openButton(item.conversationId, threadUrl(opts.teamUrl, item.thread)),
        ),
      );
    }
  }
  return { text, blocks };
}

/** `#1042 · Dana Customer · WhatsApp · 2 unreplied · waiting 3 h (since Today at 9:05)`. */
function itemLine(item: DigestItem, now: Date): string {
  const name = escapeClipped(item.contactName ?? 'Unknown contact', 80);
  const since = slackDate(item.oldestUnrepliedAt);
  const waited = waiting(now.getTime() - Date.parse(item.oldestUnrepliedAt));
  return [
    `*#${item.number} · ${name}*`,
    escapeText(channelLabel(item.channel)),
    `${item.unrepliedCount} unreplied`,
    `waiting ${waited}${since ? ` (since ${since})` : ''}`,
  ].join(' · ');
}
