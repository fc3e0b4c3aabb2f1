/**
 * A stable offset in [0, periodMs) for a key (a group's or a conversation's id).
 *
 * Wake-ups put on a shared time grid fall due at the same instant: every group's dashboard at
 * each 2-second boundary, every paced thread at each 250 ms slot. Measured under
 * `npm run bench -- e2e`, all 50 groups' dashboard jobs started within 200 ms of each boundary,
 * a burst the customer's message that arrived then waited behind (bench/README.md). Shifting
 * each key's grid by its own offset keeps one job per key and slot, but spreads the keys over
 * the period.
 */
export function phaseOf(key: string, periodMs: number): number {
  // FNV-1a: cheap, stable across processes and releases (web and worker must agree on slots).
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % periodMs;
}
