import type { Command } from 'commander';
import { AppError } from '../domain/errors.ts';
import { oneLine } from '../domain/one-line.ts';
import { cliActor } from '../setup/actor.ts';
import {
  createSavedReply,
  deleteSavedReply,
  findSavedReplyByName,
  listSavedReplies,
  updateSavedReply,
} from '../setup/saved-replies.ts';
import { findUserByEmail } from '../setup/users.ts';
import { type CliIo, type OpenDatabase, table, withDatabase } from './io.ts';

const whose = (o: { user?: string }) => (o.user ? `${o.user}'s` : "the team's");

/**
 * R40: `parley saved-replies list | set <name> --text … | remove <name>`, each with `--user <email>`
 * for a user's own (without it, the team's). The admin API's saved replies from the terminal.
 */
export function registerSavedReplyCommands(program: Command, open: OpenDatabase, io: CliIo): void {
  const saved = program
    .command('saved-replies')
    .description("list, set and remove saved replies (the team's or a user's)");

  saved
    .command('list')
    .description("list the saved replies: the team's and every user's")
    .action(() =>
      withDatabase(open, io, async (em) => {
        const rows = (await listSavedReplies(em)).map((r) => [
          r.name,
          r.owner?.email ?? 'team',
          oneLine(r.text, 60),
        ]);
        for (const line of table(['NAME', 'OWNER', 'TEXT'], rows)) io.out(line);
      }),
    );

  saved
    .command('set <name>')
    .description('save a reply under a name, or change the text of the one that has it')
    .requiredOption(
      '--text <text>',
      'its text; {contact.firstName}, {contact.name}, {agent.name}, {agent.firstName}, {conversation.number} are filled in',
    )
    .option('--user <email>', "a user's own saved reply (default: the team's)")
    .action((name: string, o: { text: string; user?: string }) =>
      withDatabase(open, io, async (em) => {
        const owner = o.user ? await findUserByEmail(em, o.user) : null;
        const existing = await findSavedReplyByName(em, owner?.id ?? null, name);
        if (existing) {
          await updateSavedReply(em, existing.id, { text: o.text }, cliActor);
          io.out(`Updated ${whose(o)} saved reply ${existing.name}`);
          return;
        }
        const created = await createSavedReply(
          em,
          { name, text: o.text, ownerId: owner?.id ?? null },
          cliActor,
        );
        io.out(`Saved ${whose(o)} reply ${created.name} (${created.id})`);
      }),
    );

  saved
    .command('remove <name>')
    .description('remove a saved reply')
    .option('--user <email>', "a user's own saved reply (default: the team's)")
    .action((name: string, o: { user?: string }) =>
      withDatabase(open, io, async (em) => {
        const owner = o.user ? await findUserByEmail(em, o.user) : null;
        const existing = await findSavedReplyByName(em, owner?.id ?? null, name);
        if (!existing)
          throw new AppError(
            'not_found',
            `There is no saved reply "${name}" of ${whose(o).replace(/'s$/, '')}; \`parley saved-replies list\` shows them.`,
          );
        await deleteSavedReply(em, existing.id, cliActor);
        io.out(`Removed ${whose(o)} saved reply ${existing.name}`);
      }),
    );
}
