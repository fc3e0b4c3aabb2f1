import type { Command } from 'commander';
import type { CsatFigures } from '../queries/csat-summary.ts';
import { CSAT_REPORT_DEFAULT_DAYS, csatReport } from '../setup/csat-report.ts';
import { type CliIo, type OpenDatabase, table, withDatabase } from './io.ts';

const cells = (f: CsatFigures) => [
  String(f.asked),
  String(f.answered),
  f.average === null ? null : f.average.toFixed(2),
  f.satisfiedPercent === null ? null : `${f.satisfiedPercent}%`,
  String(f.skipped),
];

/** R42: `parley csat [--since <date>]`, the admin API's CSAT summary per group and agent. */
export function registerCsatCommands(program: Command, open: OpenDatabase, io: CliIo): void {
  program
    .command('csat')
    .description('customer ratings (CSAT) per group and agent of conversations closed since a date')
    .option(
      '--since <date>',
      `a date or time (ISO 8601); the last ${CSAT_REPORT_DEFAULT_DAYS} days by default`,
    )
    .action((o: { since?: string }) =>
      withDatabase(open, io, async (em) => {
        const report = await csatReport(em, o.since);
        io.out(`Conversations closed since ${report.since}`);
        const rows = report.groups.flatMap((g) => [
          [g.groupName, '(group)', ...cells(g)],
          ...g.agents.map((a) => [g.groupName, a.name, ...cells(a)]),
        ]);
        for (const line of table(['GROUP', 'AGENT', 'ASKED', 'ANSWERED', 'AVERAGE', 'CSAT', 'SKIPPED'], rows))
          io.out(line);
      }),
    );
}
