import type { Processor } from '../src/jobs/worker.ts';
import type { SurfaceRegistry } from '../src/ports/agent-surface.ts';
import { notifyAiHandoff } from '../src/use-cases/notify-ai-handoff.ts';

/** aiHandoffNotice (R36): the assignees, or the group, hear that the AI agent handed a conversation over. */
export function aiHandoffNoticeProcessor(deps: { surfaces: SurfaceRegistry }): Processor<'aiHandoffNotice'> {
  return ({ turnId }, { em }) => notifyAiHandoff({ em, surfaces: deps.surfaces }, turnId);
}
