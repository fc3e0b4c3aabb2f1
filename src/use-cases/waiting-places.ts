import { SurfaceRetryLater } from '../ports/agent-surface.ts';

/** Collects the waits of places (or surfaces) that could not go on now, so the others still do. */
export class WaitingPlaces {
  private waits: SurfaceRetryLater[] = [];
  async run(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (!(err instanceof SurfaceRetryLater)) throw err;
      this.waits.push(err);
    }
  }
  shortest(): number | null {
    return this.waits.length ? Math.min(...this.waits.map((w) => w.retryAfterMs)) : null;
  }
  rethrow(): void {
    const ms = this.shortest();
    if (ms !== null) throw this.waits.find((w) => w.retryAfterMs === ms)!;
  }
}
