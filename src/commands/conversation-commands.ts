import { listNames } from '../domain/assignment.ts';
import { aiStatusText } from '../queries/ai-status.ts';
import { assignConversation, assignToMe, unassign } from '../use-cases/assign-conversation.ts';
import { closeConversation } from '../use-cases/close-conversation.ts';
import { deleteConversation } from '../use-cases/delete-conversation.ts';
import { markRead, markUnread } from '../use-cases/mark-read.ts';
import { reopenConversation } from '../use-cases/reopen-conversation.ts';
import { restrictVisibility } from '../use-cases/restrict-visibility.ts';
import { setAiMode } from '../use-cases/set-ai-mode.ts';
import { type CommandEnv, mentionedUsers, targetConversation, userNames } from './command-env.ts';
import { type CommandResult, message } from './command-result.ts';
import type { ParsedCommand } from './parse-command.ts';

/** R30: the conversation-management commands, each one use-case (which checks R33 itself). */

type Of<K extends ParsedCommand['kind']> = Extract<ParsedCommand, { kind: K }>;

const unique = (ids: readonly string[]) => [...new Set(ids)];

/** R15: `assign me` adds the user; mentions (with `me`) become the assignees, so it transfers. */
export async function runAssign(env: CommandEnv, cmd: Of<'assign'>): Promise<CommandResult> {
  const conv = await targetConversation(env, cmd.conversationNumber, '/parley assign #1042 @user');
  const mentioned = await mentionedUsers(env, cmd.userIds);
  const result =
    mentioned.length === 0
      ? await assignToMe(env.ctx, env.actor, { conversationId: conv.id })
      : await assignConversation(env.ctx, env.actor, {
          conversationId: conv.id,
          assigneeIds: unique([...(cmd.me ? [env.user.id] : []), ...mentioned.map((u) => u.id)]),
        });
  const names = listNames(await userNames(env, result.conversation.assigneeIds));
  return message(
    result.changed
      ? `Assigned #${conv.number} to ${names}.`
      : `#${conv.number} is already assigned to ${names}.`,
  );
}

/**
 * R15: `unassign` alone takes the user off the conversation when they are on it (the common case:
 * "not mine after all"), and otherwise unassigns everybody; `all` always unassigns everybody.
 */
export async function runUnassign(env: CommandEnv, cmd: Of<'unassign'>): Promise<CommandResult> {
  const conv = await targetConversation(env, cmd.conversationNumber, '/parley unassign #1042');
  const current = conv.assigneeIds;
  if (current.length === 0) return message(`#${conv.number} has no assignees.`);

  const who = cmd.who === 'default' ? (current.includes(env.user.id) ? 'me' : 'all') : cmd.who;
  if (who === 'all') {
    await unassign(env.ctx, env.actor, { conversationId: conv.id });
    return message(`#${conv.number} is now unassigned.`);
  }
  const mentioned = await mentionedUsers(env, who === 'me' ? [] : who.userIds);
  const requested = unique([...(who === 'me' || who.me ? [env.user.id] : []), ...mentioned.map((u) => u.id)]);
  const removing = requested.filter((id) => current.includes(id));
  if (removing.length === 0) {
    const names = listNames(await userNames(env, requested));
    const plural = requested.length > 1 || requested[0] === env.user.id;
    return message(`${capitalize(names)} ${plural ? 'are' : 'is'} not assigned to #${conv.number}.`);
  }
  const result = await assignConversation(env.ctx, env.actor, {
    conversationId: conv.id,
    assigneeIds: current.filter((id) => !removing.includes(id)),
  });
  const removed = listNames(await userNames(env, removing));
  const remaining = listNames(await userNames(env, result.conversation.assigneeIds));
  return message(
    `Unassigned ${removed} from #${conv.number}. ${remaining ? `It stays assigned to ${remaining}.` : 'Nobody is assigned now.'}`,
  );
}

/** R17/R18: restrict to the mentioned users (the user is always on the list) or open to everyone. */
export async function runVisibility(env: CommandEnv, cmd: Of<'visibility'>): Promise<CommandResult> {
  const conv = await targetConversation(env, cmd.conversationNumber, '/parley visibility #1042 @user');
  const listed = cmd.visibleTo === 'everyone' ? null : await mentionedUsers(env, cmd.visibleTo.userIds);
  const result = await restrictVisibility(env.ctx, env.actor, {
    conversationId: conv.id,
    visibleToIds: listed === null ? null : listed.map((u) => u.id),
  });
  const visibleTo = result.conversation.visibleToIds ?? null;
  if (visibleTo === null) {
    return message(
      result.changed
        ? `#${conv.number} is visible to the whole group again.`
        : `#${conv.number} is already visible to the whole group.`,
    );
  }
  const names = listNames(await userNames(env, visibleTo));
  const dropped = listNames(await userNames(env, result.droppedAssigneeIds));
  const droppedNote = dropped
    ? ` ${capitalize(dropped)} ${result.droppedAssigneeIds.length === 1 ? 'is' : 'are'} no longer assigned, as they cannot see it.`
    : '';
  return message(
    result.changed
      ? `#${conv.number} is now visible only to ${names}.${droppedNote}`
      : `#${conv.number} is already visible only to ${names}.`,
  );
}

export async function runClose(env: CommandEnv, cmd: Of<'close'>): Promise<CommandResult> {
  const conv = await targetConversation(env, cmd.conversationNumber, '/parley close #1042');
  await closeConversation(env.ctx, env.actor, { conversationId: conv.id });
  return message(`#${conv.number} is closed.`);
}

export async function runReopen(env: CommandEnv, cmd: Of<'reopen'>): Promise<CommandResult> {
  const conv = await targetConversation(env, cmd.conversationNumber, '/parley reopen #1042');
  await reopenConversation(env.ctx, env.actor, { conversationId: conv.id });
  return message(`#${conv.number} is open again.`);
}

/** R24: admins only (the use-case checks); an admin may delete a restricted one they are not on. */
export async function runDelete(env: CommandEnv, cmd: Of<'delete'>): Promise<CommandResult> {
  const conv = await targetConversation(env, cmd.conversationNumber, '/parley delete #1042 confirm', {
    existenceOnly: true,
  });
  await deleteConversation(env.ctx, env.actor, { conversationId: conv.id });
  return message(`#${conv.number} is deleted, with all its messages, notes and attachments.`);
}

export async function runRead(env: CommandEnv, cmd: Of<'read'>): Promise<CommandResult> {
  const conv = await targetConversation(env, cmd.conversationNumber, '/parley read #1042');
  await markRead(env.ctx, env.actor, { conversationId: conv.id });
  return message(`#${conv.number} is marked read.`);
}

/** R12: "mark unread", as in Slack and Teams: its latest message counts as new again. */
export async function runUnread(env: CommandEnv, cmd: Of<'unread'>): Promise<CommandResult> {
  const conv = await targetConversation(env, cmd.conversationNumber, '/parley unread #1042');
  await markUnread(env.ctx, env.actor, { conversationId: conv.id });
  return message(`#${conv.number} is marked unread.`);
}

/** R14, R36: hand the conversation to the AI agent (`on`), take it over (`off`), or see its state. */
export async function runAi(env: CommandEnv, cmd: Of<'ai'>): Promise<CommandResult> {
  const conv = await targetConversation(env, cmd.conversationNumber, '/parley ai #1042 off');
  if (cmd.on === undefined) return message(await aiStatusText(env.lookup, conv));
  const result = await setAiMode(env.ctx, env.actor, {
    conversationId: conv.id,
    mode: cmd.on ? 'ai' : 'human',
  });
  if (cmd.on) {
    return message(
      result.changed
        ? `#${conv.number} is now with the AI agent.`
        : `#${conv.number} is already with the AI agent.`,
    );
  }
  return message(
    result.changed
      ? `You took #${conv.number} over from the AI agent.`
      : `The AI agent is not handling #${conv.number}; it is with the team.`,
  );
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
