import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { type CsatGroupSummary, csatSummaryOfAccount } from '../queries/csat-summary.ts';
import { parseInput } from '../use-cases/input.ts';
import { currentAccount } from './account.ts';

/** Without `since`, the report covers the last 30 days. */
export const CSAT_REPORT_DEFAULT_DAYS = 30;

export const csatSinceSchema = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  error: 'since must be a date (2026-12-01) or a time (2026-12-01T08:00:00Z)',
});

export interface CsatReport {
  since: string;
  groups: CsatGroupSummary[];
}

/** R42: the account's ratings per group and agent, of conversations closed since `since` (admin API, CLI). */
export async function csatReport(
  em: EntityManager,
  since: string | undefined,
  now = new Date(),
): Promise<CsatReport> {
  const from =
    since === undefined
      ? new Date(now.getTime() - CSAT_REPORT_DEFAULT_DAYS * 86_400_000)
      : new Date(parseInput(csatSinceSchema, since));
  const account = await currentAccount(em);
  return { since: from.toISOString(), groups: await csatSummaryOfAccount(em, account.id, from) };
}
