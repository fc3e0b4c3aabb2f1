import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../../src/db/entities/index.ts';

/** What the surface needs from Slack to link a user: their profile email, when Slack shows it. */
export type LookupEmail = (slackUserId: string) => Promise<string | null>;

/**
 * R33: the Parley user behind a Slack user. Linked by `slackUserId`; otherwise linked once, here,
 * when the Slack profile's email matches exactly one active Parley user not linked yet.
 */
export async function linkedUser(
  em: EntityManager,
  slackUserId: string,
  lookupEmail: LookupEmail,
): Promise<User | null> {
  const linked = await em.findOne(User, { slackUserId });
  if (linked) return linked.active ? linked : null;
  const email = await lookupEmail(slackUserId).catch(() => null);
  if (!email) return null;
  const candidates = await em.find(User, {
    email: { $ilike: email.replace(/[\\%_]/g, (c) => `\\${c}`) },
    slackUserId: null,
    active: true,
  });
  if (candidates.length !== 1) return null;
  const user = candidates[0]!;
  user.slackUserId = slackUserId;
  await em.flush();
  return user;
}

export const notLinkedText =
  "You are not linked to a Parley user yet, so Parley can't act for you. Ask a Parley admin to run `/parley link @you your@email` (or make your Slack profile email the same as your Parley email), then try again.";
