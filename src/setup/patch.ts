import { isDeepStrictEqual } from 'node:util';

/**
 * Copies the defined fields of `patch` onto `target` and returns the names of those that really
 * changed. `undefined` means "leave as it is"; `null` clears. Used by the API (audit of what
 * changed) and the workspace file (the updated/unchanged plan).
 */
export function applyChanges(target: object, patch: Record<string, unknown>): string[] {
  const row = target as Record<string, unknown>;
  const changed: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (isDeepStrictEqual(row[key] ?? null, value)) continue;
    row[key] = value;
    changed.push(key);
  }
  return changed;
}
