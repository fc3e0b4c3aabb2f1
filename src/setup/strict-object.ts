import { z } from 'zod';

/**
 * An object schema that refuses keys it does not know. What an admin sends is refused rather than
 * trimmed: `slackChanelId` silently dropped is a group with no channel and no error. The refusal
 * names the key and, for a likely typo, the key that was meant.
 */
export function strictObject<S extends z.core.$ZodLooseShape>(shape: S) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? unknownKeysMessage(issue.keys, known) : undefined,
  });
}

export function unknownKeysMessage(keys: readonly string[], known: readonly string[]): string {
  return keys
    .map((key) => {
      const meant = closestKey(key, known);
      return `unknown field "${key}"${meant ? ` (did you mean "${meant}"?)` : ''}`;
    })
    .join('; ');
}

/** The known key a typo most likely meant: a few letters off, the same but for case, or cut short (`group`). */
function closestKey(key: string, known: readonly string[]): string | undefined {
  const typed = key.toLowerCase();
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(typed, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(key.length / 4)));
  if (best && best.distance <= allowed) return best.key;
  return typed.length >= 3 ? known.find((k) => k.toLowerCase().startsWith(typed)) : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
