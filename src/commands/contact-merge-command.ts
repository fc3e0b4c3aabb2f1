import { mergeContacts } from '../use-cases/merge-contacts.ts';
import type { CommandEnv } from './command-env.ts';
import { type CommandResult, message } from './command-result.ts';
import { findContact } from './new-conversation-command.ts';
import type { ParsedCommand } from './parse-command.ts';

/** R43: `merge <contact> into <contact>` — the use-case checks the user is an admin. */
export async function runMerge(
  env: CommandEnv,
  cmd: Extract<ParsedCommand, { kind: 'merge' }>,
): Promise<CommandResult> {
  const from = await findContact(env, cmd.from, 'whatsapp');
  const into = await findContact(env, cmd.into, 'whatsapp');
  const result = await mergeContacts(env.ctx, env.actor, { keepId: into.id, mergeId: from.id });
  const name = (c: { name?: string | null }, fallback: string) => c.name ?? fallback;
  const closed = result.closed
    .map((c) => ` #${c.number} was closed: it goes on in #${c.continuesIn}.`)
    .join('');
  return message(
    `Merged ${name(from, 'the contact')} into ${name(into, 'the contact')}: ${result.moved} conversation${result.moved === 1 ? '' : 's'} moved.${closed}`,
  );
}
