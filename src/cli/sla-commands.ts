import type { Command } from 'commander';
import type { Group } from '../db/entities/index.ts';
import { AppError } from '../domain/errors.ts';
import type { SlaSettings, SlaTargets } from '../domain/sla.ts';
import { slaFiguresOfGroup } from '../queries/sla-figures.ts';
import { cliActor } from '../setup/actor.ts';
import { findGroupByName, listGroups, updateGroup } from '../setup/groups.ts';
import { type CliIo, collect, type OpenDatabase, table, withDatabase } from './io.ts';

/**
 * `sla show|set|off|report`: a group's response-time targets (R39). Changes go through
 * `updateGroup`, so the admin API's validation, the audit trail and the re-timing of running
 * waits apply to them too.
 */
export function registerSlaCommands(program: Command, open: OpenDatabase, io: CliIo): void {
  const sla = program
    .command('sla')
    .description("a group's SLA targets: first and next response, in business hours (R39)");

  sla
    .command('show')
    .description("show a group's SLA targets")
    .requiredOption('--group <name>', 'the group')
    .action((o: { group: string }) =>
      withDatabase(open, io, async (em) => {
        for (const line of describeSla(await findGroupByName(em, o.group))) io.out(line);
      }),
    );

  sla
    .command('set')
    .description('set SLA targets in business minutes; fields not given are kept')
    .requiredOption('--group <name>', 'the group')
    .option('--first <minutes>', 'first response: from the first customer message to a person’s first reply')
    .option('--next <minutes>', 'next response: from a later customer message to the next reply')
    .option('--warn-before <minutes>', 'tell the assignees this long before a breach (default 15)')
    .option(
      '--tag <tag=first[/next]>',
      'targets for contacts with a tag, e.g. vip=15/30 (repeat)',
      collect,
      [],
    )
    .option('--escalate-slack <channel>', 'announce breaches in this Slack channel instead of the group’s')
    .option('--escalate-teams <channel>', 'announce breaches in this Teams channel instead of the group’s')
    .action((o: SetOptions) =>
      withDatabase(open, io, async (em) => {
        const group = await findGroupByName(em, o.group);
        const updated = await updateGroup(
          em,
          group.id,
          { sla: applySlaOptions(group.sla ?? null, o) },
          cliActor,
        );
        for (const line of describeSla(updated)) io.out(line);
      }),
    );

  sla
    .command('off')
    .description("remove a group's SLA targets (waits running are no longer flagged)")
    .requiredOption('--group <name>', 'the group')
    .action((o: { group: string }) =>
      withDatabase(open, io, async (em) => {
        const group = await findGroupByName(em, o.group);
        if (!group.sla) return io.out(`${group.name} has no SLA targets; nothing to do.`);
        await updateGroup(em, group.id, { sla: null }, cliActor);
        io.out(`${group.name} has no SLA targets now.`);
      }),
    );

  sla
    .command('report')
    .description('first-response time and breach rate per group, last 7 days (shared conversations)')
    .option('--group <name>', 'only this group')
    .action((o: { group?: string }) =>
      withDatabase(open, io, async (em) => {
        const groups = o.group ? [await findGroupByName(em, o.group)] : await listGroups(em);
        const withSla = groups.filter((g) => g.sla);
        if (withSla.length === 0)
          return io.out(
            'No group has SLA targets. Set some with: parley sla set --group <name> --first <minutes>',
          );
        const rows: string[][] = [];
        for (const g of withSla) {
          const f = await slaFiguresOfGroup(em, g, new Date());
          const median = f.firstResponseMedianMinutes;
          const rate = f.breachRate;
          rows.push([
            g.name,
            median === null ? '-' : `${median} min`,
            String(f.firstResponses),
            rate === null ? '-' : `${f.breached} of ${f.measured} (${Math.round(rate * 100)} %)`,
          ]);
        }
        for (const line of table(['GROUP', 'FIRST REPLY (MEDIAN)', 'FIRST REPLIES', 'PAST TARGET'], rows))
          io.out(line);
        io.out('Last 7 days, shared conversations, business minutes.');
      }),
    );
}

interface SetOptions {
  group: string;
  first?: string;
  next?: string;
  warnBefore?: string;
  tag: string[];
  escalateSlack?: string;
  escalateTeams?: string;
}

const bad = (message: string) => new AppError('validation_failed', message);

function minutes(value: string, option: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw bad(`${option} "${value}" is not a number of minutes; write it like 30.`);
  return n;
}

/** The targets after `sla set`: what was given replaces, what was not is kept. */
export function applySlaOptions(current: SlaSettings | null, o: SetOptions): SlaSettings {
  const next: SlaSettings = { ...(current ?? {}) };
  if (o.first !== undefined) next.firstResponseMinutes = minutes(o.first, '--first');
  if (o.next !== undefined) next.nextResponseMinutes = minutes(o.next, '--next');
  if (o.warnBefore !== undefined) next.warnBeforeMinutes = minutes(o.warnBefore, '--warn-before');
  if (o.tag.length > 0) {
    const tags: Record<string, SlaTargets> = { ...(current?.tags ?? {}) };
    for (const spec of o.tag) {
      const m = /^([^=]+)=(\d+)?(?:\/(\d+))?$/.exec(spec.trim());
      if (!m || (m[2] === undefined && m[3] === undefined))
        throw bad(`--tag "${spec}" is not tag=first[/next] minutes; write it like vip=15/30 or vip=/30.`);
      tags[m[1]!.trim()] = {
        ...(m[2] !== undefined ? { firstResponseMinutes: Number(m[2]) } : {}),
        ...(m[3] !== undefined ? { nextResponseMinutes: Number(m[3]) } : {}),
      };
    }
    next.tags = tags;
  }
  if (o.escalateSlack !== undefined || o.escalateTeams !== undefined) {
    next.escalation = {
      ...(current?.escalation ?? {}),
      ...(o.escalateSlack !== undefined ? { slack: o.escalateSlack } : {}),
      ...(o.escalateTeams !== undefined ? { teams: o.escalateTeams } : {}),
    };
  }
  const hasTarget = (t: SlaTargets) =>
    t.firstResponseMinutes !== undefined || t.nextResponseMinutes !== undefined;
  if (!hasTarget(next) && !Object.values(next.tags ?? {}).some(hasTarget))
    throw bad(`${o.group} has no SLA targets yet: give --first <minutes>, --next <minutes> or a --tag.`);
  return next;
}

export function describeSla(group: Group): string[] {
  const s = group.sla;
  if (!s)
    return [
      `${group.name} has no SLA targets. Set them with: parley sla set --group "${group.name}" --first <minutes>`,
    ];
  const m = (n: number | undefined) => (n === undefined ? 'none' : `${n} min`);
  const hours = group.autoResponder
    ? `business hours of the auto responder (${group.autoResponder.timeZone})`
    : 'around the clock (the group has no business hours)';
  return [
    `SLA targets of ${group.name}, counted ${hours}:`,
    `  first response ${m(s.firstResponseMinutes)}, next response ${m(s.nextResponseMinutes)}, warning ${m(s.warnBeforeMinutes ?? 15)} before`,
    ...Object.entries(s.tags ?? {}).map(
      ([tag, t]) =>
        `  contacts tagged ${tag}: first ${m(t.firstResponseMinutes)}, next ${m(t.nextResponseMinutes)}`,
    ),
    ...Object.entries(s.escalation ?? {}).map(
      ([surface, channel]) => `  breaches announced on ${surface} in ${channel}`,
    ),
  ];
}
