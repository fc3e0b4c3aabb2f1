import type { AgentSurface, SurfaceRegistry } from '../ports/agent-surface.ts';

/**
 * Runs `work` on every chat surface: one that fails or must wait (Slack paced, Teams not
 * installed for someone) does not keep the others from theirs. The first failure is thrown after
 * all ran, so the job retries; the work must be safe to repeat (a redraw, not a new post).
 */
export async function onEverySurface(
  surfaces: SurfaceRegistry,
  work: (surface: AgentSurface) => Promise<void>,
): Promise<void> {
  let failure: { err: unknown } | null = null;
  for (const surface of surfaces.values()) {
    try {
      await work(surface);
    } catch (err) {
      failure ??= { err };
    }
  }
  if (failure) throw failure.err;
}
