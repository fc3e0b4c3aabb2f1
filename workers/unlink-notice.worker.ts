import { ChatUnlinkNotice } from '../src/db/entities/index.ts';
import type { Processor } from '../src/jobs/worker.ts';
import type { SurfaceRegistry } from '../src/ports/agent-surface.ts';

/** The notice a chat identity gets when it stops being linked to a Parley user (R35). */
export const unlinkedText = (formerUserName: string) =>
  `You are no longer linked to the Parley user ${formerUserName}. An admin changed it; until you are linked again Parley shows you nothing and does nothing for you. Ask a Parley admin if this is a mistake.`;

/**
 * unlinkNotice: tell the chat identity and clear what the app showed it (App Home), then mark the
 * row told. A surface that is not configured any more leaves nothing to tell.
 */
export function unlinkNoticeProcessor(deps: { surfaces: SurfaceRegistry }): Processor<'unlinkNotice'> {
  return async ({ noticeId }, { em }) => {
    const notice = await em.findOne(ChatUnlinkNotice, noticeId);
    if (!notice || notice.toldAt) return 'done';
    const surface = deps.surfaces.get(notice.surface);
    if (surface) await surface.tellUnlinked(notice.platformUserId, unlinkedText(notice.formerUserName));
    notice.toldAt = new Date();
    await em.flush();
    return surface ? 'told' : 'no surface';
  };
}
