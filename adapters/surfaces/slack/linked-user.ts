import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../../src/db/entities/index.ts';
import type { SlackCaller } from './deps.ts';

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
  return linkByEmail(em, slackUserId, lookupEmail);
}

/** R33: links a Slack user nobody is linked to yet, when their profile email names exactly one active Parley user. */
export async function linkByEmail(
  em: EntityManager,
  slackUserId: string,
  lookupEmail: LookupEmail,
): Promise<User | null> {
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

/**
 * The Slack profile email of a member of the app's own workspace, for linking by email (R35). A
 * Slack Connect guest from another organisation (another team, or marked `is_stranger`) gets null:
 * an email they chose must not make them one of ours.
 */
export async function lookupEmail(deps: { api: SlackCaller }, slackUserId: string): Promise<string | null> {
  const res = await deps.api.call<{
    user?: {
      team_id?: string;
      is_stranger?: boolean;
      enterprise_user?: { enterprise_id?: string };
      profile?: { email?: string };
    };
  }>('users.info', { user: slackUserId });
  const user = res.user;
  if (!user || user.is_stranger) return null;
  const app = await deps.api.call<{ team_id?: string; enterprise_id?: string }>('auth.test', {});
  const sameTeam = !!user.team_id && user.team_id === app.team_id;
  const sameGrid = !!app.enterprise_id && user.enterprise_user?.enterprise_id === app.enterprise_id;
  return sameTeam || sameGrid ? (user.profile?.email ?? null) : null;
}

export const notLinkedText =
  "You are not linked to a Parley user yet, so Parley can't act for you. Ask a Parley admin to run `/parley link @you your@email` (or make your Slack profile email the same as your Parley email), then try again.";
