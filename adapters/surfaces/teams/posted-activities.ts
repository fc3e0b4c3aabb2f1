import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { TeamsPostedActivity } from '../../../src/db/entities/index.ts';

/**
 * What the app posted for each conversation in Teams (TeamsPostedActivity): recorded right after
 * Teams answered, read back to redraw a delivery-state card and to remove a thread, each row
 * dropped once its activity is deleted (so a removal cut short goes on where it stopped).
 */
type EmDeps = { em: () => EntityManager };

export interface PostedActivity {
  teamsConversation: string;
  conversationId: string;
  activityId: string;
  kind: 'item' | 'state';
  messageId?: string | null;
}

export async function recordPosted(deps: EmDeps, a: PostedActivity): Promise<void> {
  const em = deps.em();
  em.create(TeamsPostedActivity, { ...a, messageId: a.messageId ?? null });
  try {
    await em.flush();
  } catch (err) {
    // Recorded already (a resumed post found again).
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
  }
}

/** The delivery-state card shown for a message in a thread, if any. */
export async function stateCardOf(
  deps: EmDeps,
  teamsConversation: string,
  messageId: string,
): Promise<string | null> {
  const row = await deps
    .em()
    .findOne(
      TeamsPostedActivity,
      { teamsConversation, messageId, kind: 'state' },
      { orderBy: { createdAt: 'desc' } },
    );
  return row?.activityId ?? null;
}

/** Every activity still recorded for the conversation in this Teams conversation, oldest first. */
export async function postedIn(
  deps: EmDeps,
  teamsConversation: string,
  conversationId: string,
): Promise<string[]> {
  const rows = await deps
    .em()
    .find(TeamsPostedActivity, { teamsConversation, conversationId }, { orderBy: { createdAt: 'asc' } });
  return rows.map((r) => r.activityId);
}

export async function forgetPosted(
  deps: EmDeps,
  teamsConversation: string,
  activityId: string,
): Promise<void> {
  await deps.em().nativeDelete(TeamsPostedActivity, { teamsConversation, activityId });
}
