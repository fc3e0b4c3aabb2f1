import { SurfaceRetryLater } from '../../../src/ports/agent-surface.ts';

/** The wait a slot call asks for (0: it went through). */
export async function waitOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 0;
  } catch (err) {
    if (!(err instanceof SurfaceRetryLater)) throw err;
    return err.retryAfterMs;
  }
}
