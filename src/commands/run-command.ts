import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../domain/actor.ts';
import type { UseCaseContext } from '../use-cases/context.ts';
import { loadActingUser, toViewer } from '../use-cases/load.ts';
import type { MessageSource } from '../use-cases/timeline.ts';
import { runBroadcastForm } from './broadcast-command.ts';
import type { CommandEnv, CommandSurface } from './command-env.ts';
import { type CommandResult, message } from './command-result.ts';
import { runMerge } from './contact-merge-command.ts';
import {
  runAi,
  runAssign,
  runClose,
  runDelete,
  runRead,
  runReopen,
  runUnassign,
  runUnread,
  runVisibility,
} from './conversation-commands.ts';
import { runDm } from './dm-command.ts';
import { describeCommand, helpText } from './help-text.ts';
import { runLink } from './link-command.ts';
import { runDashboard, runInbox, runSearch } from './list-commands.ts';
import { runNote, runReply } from './message-commands.ts';
import { runNew } from './new-conversation-command.ts';
import type { ParsedCommand } from './parse-command.ts';
import { runInvoiceChange, runPayLink, runPaymentForm } from './payment-commands.ts';
import { runSaved } from './saved-command.ts';

export type { CommandSurface } from './command-env.ts';
export type { CommandResult, ConversationLine } from './command-result.ts';

export interface CommandInput {
  command: ParsedCommand;
  /** The linked Parley user (a user actor). */
  actor: Actor;
  /** Which platform column links the mentioned users (User.slackUserId / teamsUserId). */
  surface: CommandSurface;
  /** Set when run inside a conversation's thread or DM thread. */
  impliedConversationId?: string;
  /** The chat message a reply or note was written as (its key refuses a replayed event). */
  source?: MessageSource;
}

/**
 * R30/R33: runs a parsed command for the acting user. Each command is one use-case or query,
 * which checks role, group membership and visibility itself; refusals are thrown as AppError for
 * the surface to answer privately.
 */
export async function runCommand(ctx: UseCaseContext, input: CommandInput): Promise<CommandResult> {
  const lookup = ctx.em.fork() as EntityManager;
  const user = await loadActingUser(lookup, input.actor);
  const env: CommandEnv = {
    ctx,
    actor: input.actor,
    user,
    viewer: toViewer(user),
    surface: input.surface,
    lookup,
    ...(input.impliedConversationId ? { impliedConversationId: input.impliedConversationId } : {}),
    ...(input.source ? { source: input.source } : {}),
  };
  const cmd = input.command;
  switch (cmd.kind) {
    case 'reply':
      return runReply(env, cmd);
    case 'saved':
      return runSaved(env, cmd);
    case 'note':
      return runNote(env, cmd);
    case 'assign':
      return runAssign(env, cmd);
    case 'unassign':
      return runUnassign(env, cmd);
    case 'visibility':
      return runVisibility(env, cmd);
    case 'close':
      return runClose(env, cmd);
    case 'reopen':
      return runReopen(env, cmd);
    case 'delete':
      return runDelete(env, cmd);
    case 'read':
      return runRead(env, cmd);
    case 'unread':
      return runUnread(env, cmd);
    case 'ai':
      return runAi(env, cmd);
    case 'new':
      return runNew(env, cmd);
    case 'search':
      return runSearch(env, cmd);
    case 'inbox':
      return runInbox(env, cmd);
    case 'dashboard':
      return runDashboard(env);
    case 'link':
      return runLink(env, cmd);
    case 'merge':
      return runMerge(env, cmd);
    case 'dm':
      return runDm(env, cmd);
    case 'invoice':
    case 'checkout':
      return runPaymentForm(env, cmd);
    case 'paid':
    case 'void':
      return runInvoiceChange(env, cmd);
    case 'paylink':
      return runPayLink(env, cmd);
    case 'broadcast':
      return runBroadcastForm(env);
    case 'help':
      return message(cmd.topic ? describeCommand(cmd.topic) : helpText());
  }
}
