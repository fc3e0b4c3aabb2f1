import { describe, expect, it } from 'vitest';
import { onEverySurface } from '../../src/jobs/every-surface.ts';
import { SurfaceRetryLater } from '../../src/ports/agent-surface.ts';
import { recordingSurface } from '../support/fake-surface.ts';

describe('work on every chat surface', () => {
  it('R26, R34: a surface that must wait does not keep the next one from redrawing; the job still retries', async () => {
    const drawn: string[] = [];
    const slack = recordingSurface();
    slack.surface.publishHome = async () => {
      throw new SurfaceRetryLater('paced', 1_000);
    };
    const teams = recordingSurface();
    teams.surface.publishHome = async (userId) => {
      drawn.push(userId);
    };
    const surfaces = new Map([
      ['slack', slack.surface],
      ['teams', teams.surface],
    ]);
    await expect(onEverySurface(surfaces, (s) => s.publishHome('u1', { force: true }))).rejects.toThrow(
      'paced',
    );
    expect(drawn).toEqual(['u1']);
  });
});
