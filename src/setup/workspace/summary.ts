/** What applying a workspace file did (or, on a dry run, would do), per kind of record. */
export interface KindSummary {
  created: string[];
  updated: { key: string; fields: string[] }[];
  unchanged: string[];
}

export interface ApplySummary {
  dryRun: boolean;
  account: 'created' | 'updated' | 'unchanged';
  groups: KindSummary;
  users: KindSummary;
  endpoints: KindSummary;
  contacts: KindSummary;
  savedReplies: KindSummary;
}

export const emptyKind = (): KindSummary => ({ created: [], updated: [], unchanged: [] });

export function note(kind: KindSummary, key: string, outcome: 'created' | string[]): void {
  if (outcome === 'created') kind.created.push(key);
  else if (outcome.length > 0) kind.updated.push({ key, fields: outcome });
  else kind.unchanged.push(key);
}

const kinds = ['groups', 'users', 'endpoints', 'contacts', 'savedReplies'] as const;

export const countChanges = (s: ApplySummary) =>
  kinds.reduce((n, k) => n + s[k].created.length + s[k].updated.length, s.account === 'unchanged' ? 0 : 1);

/** Human-readable lines for the CLI: a count line per kind, then one line per created or updated record. */
export function describeSummary(s: ApplySummary): string[] {
  const lines = [s.dryRun ? 'Dry run: nothing was written. Applying would make these changes:' : 'Applied:'];
  lines.push(`account: ${s.account}`);
  for (const k of kinds) {
    const { created, updated, unchanged } = s[k];
    lines.push(`${k}: ${created.length} created, ${updated.length} updated, ${unchanged.length} unchanged`);
    for (const key of created) lines.push(`  + ${key}`);
    for (const u of updated) lines.push(`  ~ ${u.key} (${u.fields.join(', ')})`);
  }
  if (countChanges(s) === 0) lines.push('Nothing to change: the workspace already matches the file.');
  return lines;
}
