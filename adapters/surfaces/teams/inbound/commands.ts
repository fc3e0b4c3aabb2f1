import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { commandNames, describeCommand } from '../../../../src/commands/help-text.ts';
import { isParseError, parseCommand, parseErrorText } from '../../../../src/commands/parse-command.ts';
import {
  type CommandResult,
  type ConversationLine,
  runCommand,
} from '../../../../src/commands/run-command.ts';
import type { User } from '../../../../src/db/entities/index.ts';
import { userActor } from '../../../../src/domain/actor.ts';
import { isAppError } from '../../../../src/domain/errors.ts';
import type { MessageSource } from '../../../../src/use-cases/timeline.ts';
import { channelName } from '../cards/card-kit.ts';
import type { InboundActivity } from '../ports.ts';
import { TeamsApiError } from '../teams-api-errors.ts';
import { channelOf, isPersonalChat, senderOf } from './activity.ts';
import { showDashboard } from './dashboard-actions.ts';
import type { TeamsInboundDeps } from './deps.ts';
import { offerForm } from './form-dialogs.ts';
import { commandPlainText, commandText, type ReadMessage } from './message-text.ts';

export interface TeamsCommandInput {
  user: User;
  activity: InboundActivity;
  read: ReadMessage;
  impliedConversationId?: string;
  source?: MessageSource;
}

/**
 * R30/R33: runs what a person wrote to the app as a command of the shared grammar, for the linked
 * user, and returns the private answer (plain text): the result, the refusal with what to do, or
 * how to write the command. Null when there is nothing to say (a replay of a reply or note that is
 * already recorded).
 */
export async function runTeamsCommand(
  deps: TeamsInboundDeps,
  input: TeamsCommandInput,
): Promise<string | null> {
  const { read } = input;
  const text = commandText(read, await entraIds(deps, input.activity, read));
  const parsed = parseCommand(text, { plainText: commandPlainText });
  if (isParseError(parsed)) return teamsWording(parseErrorText(parsed), read);
  if (parsed.kind === 'help')
    return parsed.topic ? teamsWording(describeCommand(parsed.topic), read) : teamsHelp();
  const teamsUserId = senderOf(input.activity);
  if (parsed.kind === 'dashboard' && teamsUserId) {
    // The dashboard is a card of its own in the personal chat: it is the answer.
    await showDashboard(deps, teamsUserId, input.user);
    return isPersonalChat(input.activity) ? null : 'Your dashboard is in your chat with Parley.';
  }
  try {
    const result = await runCommand(deps.context(), {
      command: parsed,
      actor: userActor(input.user.id),
      surface: 'teams',
      impliedConversationId: input.impliedConversationId,
      source: input.source,
    });
    if (result.kind === 'form') {
      // A command cannot open a dialog in Teams: the answer is a card whose button opens it.
      await offerForm(deps, input.activity, result.form);
      return null;
    }
    return teamsWording(renderResult(result), read);
  } catch (err) {
    // Teams sent the message again: the reply or note it wrote is already recorded.
    if (err instanceof UniqueConstraintViolationException) return null;
    if (isAppError(err)) return `⛔ ${teamsWording(err.message, read)}`;
    throw err;
  }
}

/**
 * The Entra object ids of the people mentioned, by mention: the mention's own when Teams gives it,
 * otherwise the conversation's roster's; null for anyone Teams does not place (the command then
 * says they are not linked).
 */
async function entraIds(
  deps: TeamsInboundDeps,
  a: InboundActivity,
  read: ReadMessage,
): Promise<Map<number, string | null>> {
  const ids = new Map<number, string | null>();
  for (const [i, m] of read.mentions.entries()) {
    if (!m.person || m.bot) continue;
    if (m.aadObjectId) {
      ids.set(i, m.aadObjectId);
      continue;
    }
    const member = await deps.api.member(channelOf(a.conversation.id), m.id).catch((err: unknown) => {
      if (!(err instanceof TeamsApiError)) throw err;
      deps.logger.warn({ err }, 'teams: could not read a mentioned person from the roster');
      return null;
    });
    ids.set(i, member?.aadObjectId ?? null);
  }
  return ids;
}

/**
 * Our shared sentences spell commands the Slack way (`/parley close`); in Teams a command is the
 * same words written to the app. People the asker mentioned (`<@id>`) are named.
 */
export function teamsWording(text: string, read?: ReadMessage): string {
  return text
    .replace(/`\/parley /g, '`')
    .replace(/\/parley /g, '')
    .replace(/<@([^\s<>|]+)(?:\|([^<>]*))?>/g, (_, id: string, name?: string) => {
      const known = read?.mentions.find((m) => m.aadObjectId === id || m.id === id)?.name;
      return `@${name || known || 'someone'}`;
    });
}

/** Every command, how to write it in Teams, and where. */
export function teamsHelp(): string {
  return [
    'Parley commands — write them here, in your chat with Parley:',
    ...commandNames.map((name) => `• ${teamsWording(describeCommand(name))}`),
    "In a conversation's thread in your team's channel, start with @Parley and the conversation is implied: `@Parley close`, `@Parley note text`, `@Parley assign @Ada`. Anything else you write in that thread goes to the customer.",
    'Here, name the conversation by its number (`reply #1042 text`), or reply to (quote) one of its messages to answer the customer.',
  ].join('\n');
}

export function renderResult(result: CommandResult): string {
  switch (result.kind) {
    case 'message':
    case 'form':
      return result.text;
    case 'dashboard':
      return result.tiles.tiles.map((t) => `${t.label}: ${t.count}`).join('\n');
    case 'list': {
      if (result.items.length === 0) return `${result.title}\n${result.empty}`;
      const more = result.more ? '\nMore in your Parley dashboard, or narrow the search.' : '';
      return `${result.title}\n${result.items.map(lineOf).join('\n')}${more}`;
    }
  }
}

function lineOf(c: ConversationLine): string {
  const who = c.assignees.length ? ` · ${c.assignees.join(', ')}` : ' · unassigned';
  const unreplied = c.unrepliedCount ? ` · ${c.unrepliedCount} unreplied` : '';
  const preview = c.preview ? `\n   “${clip(c.preview.replace(/\s+/g, ' '), 120)}”` : '';
  return `• #${c.number} ${clip(c.contactName, 80)} · ${channelName(c.channel)} · ${c.status}${who}${unreplied}${preview}`;
}

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
