import { InternalChat, User } from '../db/entities/index.ts';
import { AppError } from '../domain/errors.ts';
import { assertCanDeleteChat, chatPair } from '../domain/internal-chat.ts';
import { deleteInternalChat, sendInternalMessage } from '../use-cases/internal-chat.ts';
import { type CommandEnv, mentionedUsers } from './command-env.ts';
import { type CommandResult, message } from './command-result.ts';
import type { DmCommand, DmTarget } from './parse-dm-command.ts';

/**
 * R25: `dm` writes an internal message (the use-case checks the recipient is an active user of the
 * account) or, for admins, deletes an internal chat. The message reaches the recipient's chat with
 * Parley on whichever platform they are linked on, through the internalPost job.
 */
export async function runDm(env: CommandEnv, cmd: DmCommand): Promise<CommandResult> {
  if (cmd.action === 'delete') return runDelete(env, cmd.between);
  const to = await targetUser(env, cmd.to);
  await sendInternalMessage(env.ctx, env.actor, {
    toUserId: to.id,
    text: cmd.text,
    kind: cmd.note ? 'note' : 'message',
    ...(env.source ? { sourceKey: env.source.key } : {}),
  });
  const what = cmd.note ? 'internal note' : 'internal message';
  if (to.id === env.user.id)
    return message(`Saved as an ${what} to yourself. It is in your chat with Parley and your inbox.`);
  const linked = to.slackUserId || to.teamsUserId;
  return message(
    linked
      ? `Sent your ${what} to ${to.name}. Their answers come to your chat with Parley.`
      : `Sent your ${what} to ${to.name}. They are not linked to Slack or Teams yet, so they see it once an admin links them.`,
  );
}

async function runDelete(env: CommandEnv, between: DmTarget[]): Promise<CommandResult> {
  // Refused before any lookup: a non-admin learns nothing about other people's chats.
  assertCanDeleteChat(env.viewer);
  const users = await Promise.all(between.map((t) => targetUser(env, t)));
  const [a, b] = users.length === 1 ? [env.user, users[0]!] : [users[0]!, users[1]!];
  const [userA, userB] = chatPair(a.id, b.id);
  const chat = await env.lookup.findOne(InternalChat, { account: env.user.account.id, userA, userB });
  const names = a.id === b.id ? `${a.name} and themselves` : `${a.name} and ${b.name}`;
  if (!chat) throw new AppError('not_found', `There is no internal chat between ${names}.`);
  const { removedMessages } = await deleteInternalChat(env.ctx, env.actor, { chatId: chat.id });
  return message(
    `Deleted the internal chat between ${names} (${removedMessages} message${removedMessages === 1 ? '' : 's'}). It is gone from their inboxes; what Parley posted in their chats with it stays there, and replies to it are refused.`,
  );
}

/** The Parley user a `dm` names, in the acting user's account. */
async function targetUser(env: CommandEnv, t: DmTarget): Promise<User> {
  const account = env.user.account.id;
  switch (t.by) {
    case 'me':
      return env.user;
    case 'mention':
      return (await mentionedUsers(env, [t.userId]))[0]!;
    case 'email': {
      const user = await env.lookup.findOne(User, { account, email: t.email });
      if (!user) throw new AppError('not_found', `There is no Parley user with the email ${t.email}.`);
      return user;
    }
    case 'name': {
      const users = await env.lookup.find(User, { account, name: { $ilike: t.name } }, { limit: 2 });
      if (users.length === 0)
        throw new AppError('not_found', `There is no Parley user named "${t.name}". Try their email.`);
      if (users.length > 1)
        throw new AppError('bad_request', `Several users are named "${t.name}": write their email instead.`);
      return users[0]!;
    }
  }
}
