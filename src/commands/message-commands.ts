import { addNote } from '../use-cases/add-note.ts';
import { sendReply } from '../use-cases/send-reply.ts';
import { type CommandEnv, targetConversation } from './command-env.ts';
import { type CommandResult, message } from './command-result.ts';
import type { ParsedCommand } from './parse-command.ts';
import { templateRefFor } from './template-language.ts';

type Of<K extends ParsedCommand['kind']> = Extract<ParsedCommand, { kind: K }>;

/** R29/R30: a reply to the customer; a reply in a closed conversation says where it went (R22). */
export async function runReply(env: CommandEnv, cmd: Of<'reply'>): Promise<CommandResult> {
  const conv = await targetConversation(env, cmd.conversationNumber, '/parley reply #1042 text');
  const template =
    cmd.template && (await templateRefFor(env.lookup, conv.endpoint?.id ?? null, cmd.template));
  const sent = await sendReply(env.ctx, env.actor, {
    conversationId: conv.id,
    ...(cmd.text !== undefined ? { text: cmd.text } : {}),
    ...(template ? { template } : {}),
    ...(env.source ? { source: env.source } : {}),
  });
  return message(sent.notice ?? `Your reply to #${sent.conversationNumber} is on its way.`);
}

/** R5/R30: a private note for the team. */
export async function runNote(env: CommandEnv, cmd: Of<'note'>): Promise<CommandResult> {
  const conv = await targetConversation(env, cmd.conversationNumber, '/parley note #1042 text');
  await addNote(env.ctx, env.actor, {
    conversationId: conv.id,
    text: cmd.text,
    ...(env.source ? { source: env.source } : {}),
  });
  return message(`Note added to #${conv.number}.`);
}
