import { LockMode } from '@mikro-orm/core';
import { User } from '../../../../src/db/entities/index.ts';
import { isAppError } from '../../../../src/domain/errors.ts';
import type { DomainEvent } from '../../../../src/domain/events.ts';
import { updateUser } from '../../../../src/setup/users.ts';
import type { InboundActivity } from '../ports.ts';
import { TeamsApiError } from '../teams-api-errors.ts';
import { channelOf, senderOf, tenantOf } from './activity.ts';
import type { TeamsInboundDeps } from './deps.ts';

/**
 * R33/R35: the Parley user behind the person who sent an activity. Linked by their Entra object id
 * (User.teamsUserId); otherwise linked once, here, when all of these hold:
 * - the activity comes from the app's own tenant, from a member rather than a guest (an email
 *   another organisation set proves nothing);
 * - Teams' roster shows the person's email;
 * - exactly one active Parley user has that email, and that user has no Teams identity yet (an
 *   identity is never replaced silently: an admin relinks, audited, and the previous one is told).
 * The link goes through updateUser, so it is audited and the user's private places are redrawn.
 * Anyone else gets what to do instead (`refusal`), and Parley does nothing for them.
 */
export async function actingUser(
  deps: TeamsInboundDeps,
  a: InboundActivity,
): Promise<{ user: User } | { refusal: string }> {
  const teamsUserId = senderOf(a);
  const linked = teamsUserId && (await deps.em().findOne(User, { teamsUserId }));
  if (linked) return linked.active ? { user: linked } : { refusal: inactiveText };
  const user = teamsUserId ? await linkByEmail(deps, a, teamsUserId) : null;
  return user ? { user } : { refusal: notLinkedText(a) };
}

async function linkByEmail(deps: TeamsInboundDeps, a: InboundActivity, teamsUserId: string) {
  const tenant = deps.config.TEAMS_TENANT_ID;
  if (!tenant || tenantOf(a)?.toLowerCase() !== tenant.toLowerCase()) return null;
  const email = await rosterEmail(deps, a);
  if (!email) return null;
  const candidates = await deps.em().find(User, {
    email: { $ilike: email.replace(/[\\%_]/g, (c) => `\\${c}`) },
    active: true,
  });
  if (candidates.length !== 1 || candidates[0]!.teamsUserId) return null;
  const events: DomainEvent[] = [];
  try {
    // Locked and read again inside the transaction: an identity set meanwhile is never replaced.
    const linked = await deps.em().transactional(async (tx) => {
      const user = await tx.findOne(User, candidates[0]!.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!user?.active || user.teamsUserId) return null;
      return updateUser(
        tx,
        user.id,
        { teamsUserId },
        { kind: 'system', reason: 'teams-link-by-email' },
        { dispatch: async (e) => void events.push(...e) },
      );
    });
    if (events.length > 0) await deps.context().dispatch?.(events);
    return linked;
  } catch (err) {
    // Linked by a concurrent activity of the same person (the id taken meanwhile): read again.
    if (!isAppError(err) || err.code !== 'conflict') throw err;
    const now = await deps.em().findOne(User, { teamsUserId });
    return now?.active ? now : null;
  }
}

/** The sender's email as the conversation's roster shows it; null when Teams does not say. */
async function rosterEmail(deps: TeamsInboundDeps, a: InboundActivity): Promise<string | null> {
  try {
    const member = await deps.api.member(channelOf(a.conversation.id), a.from.id);
    if (!member || (member.aadObjectId && member.aadObjectId !== senderOf(a))) return null;
    // A guest's email was set by another organisation: an admin links guests by hand.
    if (member.guest) return null;
    return member.email?.trim() || null;
  } catch (err) {
    // Teams refused (not in the roster, forbidden): no email. A rate limit or an outage is thrown,
    // so Teams sends the activity again and the person is not told wrongly that they are unknown.
    if (!(err instanceof TeamsApiError)) throw err;
    deps.logger.warn({ err }, 'teams: could not read the roster to link a user by email');
    return null;
  }
}

export const inactiveText =
  'Your Parley user is not active, so Parley does nothing for you. Ask a Parley admin if this is a mistake.';

/** What a person Parley does not act for is told (R33), with what an admin runs to link them. */
export function notLinkedText(a: InboundActivity): string {
  const id = senderOf(a);
  const cli = `npx parley users link-teams their@email ${id ?? '<Entra object id>'}`;
  return [
    "You are not linked to a Parley user yet, so Parley can't act for you.",
    `Ask a Parley admin to link you: \`${cli}\` (your Entra object id is ${id ?? 'unknown'}), or \`@Parley link @you your@email\` in a conversation's thread.`,
    'Where your Microsoft 365 email is the same as your Parley email, you are linked the first time you write.',
  ].join(' ');
}
