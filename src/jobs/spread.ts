/**
 * Time grids for wake-ups that can wait a little (a group's dashboard redraw, a thread's later
 * mirror run): every wake of one key that falls in one slot becomes one job named by the slot.
 *
 * Each key's grid is shifted by an offset of its own. On one shared grid every group's dashboard
 * fell due at each 2-second boundary and every paced thread at each 250 ms slot: measured under
 * `npm run bench -- e2e`, all 50 groups' dashboard jobs started within 200 ms of each boundary, a
 * burst the customer's message that arrived then waited behind (bench/README.md, "The tails").
 */
export function slotOf(key: string, periodMs: number, at: number): { slot: number; endsAt: number } {
  const phase = phaseOf(key, periodMs);
  const slot = Math.floor((at - phase) / periodMs);
  return { slot, endsAt: (slot + 1) * periodMs + phase };
}

/** A stable offset in [0, periodMs) for a key. FNV-1a: web and worker must agree on slots. */
function phaseOf(key: string, periodMs: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % periodMs;
}
