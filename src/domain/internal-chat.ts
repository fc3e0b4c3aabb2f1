import type { Viewer } from './actor.ts';
import { AppError } from './errors.ts';

/**
 * R25: an internal chat is between two users of an account, or a user and themselves. There are
 * no group chats. The pair is stored ordered so one pair always has the same chat.
 */
export function chatPair(a: string, b: string): [string, string] {
  return a <= b ? [a, b] : [b, a];
}

export function assertCanMessage(
  sender: Viewer,
  recipient: { accountId: string; active: boolean; name: string } | null,
): void {
  if (!recipient || recipient.accountId !== sender.accountId) {
    throw new AppError(
      'not_found',
      'That user does not exist in your account. Pick a user of your account.',
      {
        rule: 'R25',
      },
    );
  }
  if (!recipient.active) {
    throw new AppError(
      'rule_violation',
      `${recipient.name} is not an active user, so cannot receive internal messages.`,
      {
        rule: 'R25',
      },
    );
  }
}

/** R25: only admins delete an internal chat. */
export function assertCanDeleteChat(viewer: Viewer): void {
  if (viewer.role === 'admin') return;
  throw new AppError(
    'forbidden',
    'Only an admin can delete an internal chat. Ask an admin of your account.',
    {
      rule: 'R25',
    },
  );
}
