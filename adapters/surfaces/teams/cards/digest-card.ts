import { Column, ColumnSet, OpenUrlAction, TextBlock } from '@microsoft/teams.cards';
import { CSAT_SUMMARY_DAYS } from '../../../../src/queries/csat-summary.ts';
import type { DigestData, DigestItem } from '../../../../src/queries/digest-data.ts';
import { aiDigestLine, csatLines, slaFiguresLine, waiting } from '../../shared/dashboard-text.ts';
import type { OutboundActivity } from '../ports.ts';
import {
  adaptiveCard,
  type CardBody,
  cardActivity,
  channelName,
  line,
  localTime,
  oneLine,
  plural,
  run,
} from './card-kit.ts';

/**
 * R27: a group's digest for its Teams channel (pure: data in, card out): the figures, unreplied
 * most prominent (R13), then the conversations waiting longest. DigestData already leaves
 * restricted conversations out (R17); nothing here adds any.
 */

export interface DigestOpts {
  now: Date;
  /** Where a conversation's channel post opens in Teams, when known. */
  openLink?: (item: DigestItem) => string | null;
}

export function digestCard(data: DigestData, opts: DigestOpts): OutboundActivity {
  const { unreplied, unassigned, open } = data.figures;
  const group = oneLine(data.groupName, 100);
  const figures = line(
    run(`${unreplied > 0 ? '🔴' : '🟢'} ${unreplied} unreplied`, {
      bold: true,
      ...(unreplied > 0 ? { color: 'Attention' as const } : {}),
    }),
    `   ${unassigned} unassigned   ${open} open`,
  );
  const body: CardBody = [
    line(run('Digest · ', { bold: true, size: 'Large' }), run(group, { bold: true, size: 'Large' })),
    figures,
  ];
  if (data.ai) body.push(line(run(`🤖 ${aiDigestLine(data.ai)}`, { subtle: true })));
  // R42: the group's ratings, then each agent's.
  if (data.csat) {
    const [total, ...agents] = csatLines([data.csat], { withGroupName: false });
    body.push(
      line(
        run(`⭐ Customer ratings, last ${CSAT_SUMMARY_DAYS} days: ${oneLine(total?.text ?? '', 200)}`, {
          subtle: true,
        }),
      ),
    );
    for (const a of agents.slice(0, 20)) body.push(line(run(`   ${oneLine(a.text, 200)}`, { subtle: true })));
  }
  if (data.sla) {
    const now = data.sla.breachingNow;
    body.push(
      line(
        run(`${now > 0 ? '🚨' : '⏱️'} ${now} past the SLA target now`, {
          bold: true,
          ...(now > 0 ? { color: 'Attention' as const } : {}),
        }),
      ),
      line(run(slaFiguresLine({ ...data.sla, groupName: 'Response times' }), { subtle: true })),
    );
  }
  if (data.oldestUnreplied.length === 0) {
    body.push(line('No customer is waiting for a reply. 🎉'));
  } else {
    body.push(new TextBlock('Waiting longest for a reply', { weight: 'Bolder', separator: true }));
    for (const item of data.oldestUnreplied) body.push(itemRow(item, opts));
  }
  const summary =
    `${group} digest: ${plural(unreplied, 'unreplied message')}, ` +
    `${plural(unassigned, 'unassigned conversation')}, ${plural(open, 'open conversation')}.`;
  return cardActivity(adaptiveCard(body), summary);
}

/** `#1042 · Dana Customer · WhatsApp · 2 unreplied · waiting 3 h`, and since when in the reader's time. */
function itemRow(item: DigestItem, opts: DigestOpts) {
  const name = oneLine(item.contactName ?? 'Unknown contact');
  const title = run(`#${item.number} · ${name}`, { bold: true });
  const url = opts.openLink?.(item);
  if (url && /^https:\/\//i.test(url))
    title.withSelectAction(new OpenUrlAction(url, { title: 'Open' })).withColor('Accent');
  const waited = waiting(opts.now.getTime() - Date.parse(item.oldestUnrepliedAt));
  const text = line(
    title,
    run(` · ${channelName(item.channel)} · ${item.unrepliedCount} unreplied · waiting ${waited}`, {
      subtle: true,
    }),
  );
  const since = localTime(item.oldestUnrepliedAt);
  return since
    ? new ColumnSet({ columns: [new Column(text).withWidth('stretch'), new Column(since).withWidth('auto')] })
    : text;
}
