import type { InboundActivity } from '../ports.ts';
import { isPersonalChat } from './activity.ts';
import type { TeamsInboundDeps } from './deps.ts';
import { actingUser } from './linked-user.ts';
import { PERSONAL_HELP } from './personal-chat.ts';
import { tellSender } from './tell.ts';

/**
 * The app was installed for a person (`installationUpdate`, action `add`, in their personal
 * scope): a welcome that says what the chat is for, or, for someone Parley does not act for yet,
 * how to get linked (R33). Installs in a team or a group chat and removals need nothing: the
 * channel is linked to a group by an admin (`parley groups …`).
 */
export async function onInstallation(deps: TeamsInboundDeps, a: InboundActivity): Promise<void> {
  const action = (a as InboundActivity & { action?: string }).action;
  if (a.type !== 'installationUpdate' || action !== 'add' || !isPersonalChat(a)) return;
  const acting = await actingUser(deps, a);
  if ('refusal' in acting) return tellSender(deps, a, acting.refusal);
  await tellSender(
    deps,
    a,
    `Hi ${acting.user.name}, Parley is ready. Conversations restricted to you, your dashboard and what only you should read come to this chat. ${PERSONAL_HELP}`,
  );
}
