import { oneLine } from '../domain/one-line.ts';
import { removeSavedReply, savedRepliesFor, saveSavedReply } from '../use-cases/saved-replies.ts';
import { sendSavedReply } from '../use-cases/send-saved-reply.ts';
import { type CommandEnv, targetConversation } from './command-env.ts';
import { type CommandResult, message } from './command-result.ts';
import type { SavedCommand } from './parse-saved-command.ts';

/** R40: `saved …` — list, save, remove, or send a saved reply as the user's reply. */
export async function runSaved(env: CommandEnv, cmd: SavedCommand): Promise<CommandResult> {
  switch (cmd.action) {
    case 'list': {
      const all = await savedRepliesFor(env.lookup, env.user);
      if (all.length === 0)
        return message('No saved replies yet. `saved add <name> <text>` saves one of your own.');
      // A line each: the name, whose it is, and the start of the text.
      const lines = all.map((r) => `• \`${r.name}\`${r.owner ? ' (yours)' : ''}: ${oneLine(r.text, 80)}`);
      return message(
        `Saved replies (send one with \`saved <name>\` in a conversation):\n${lines.join('\n')}`,
      );
    }
    case 'add': {
      const { reply, created } = await saveSavedReply(env.ctx, env.actor, cmd);
      const whose = reply.owner ? 'your' : 'the team’s';
      return message(`${created ? 'Saved' : 'Updated'} ${whose} saved reply \`${reply.name}\`.`);
    }
    case 'remove':
      await removeSavedReply(env.ctx, env.actor, cmd);
      return message(`Removed ${cmd.team ? 'the team’s' : 'your'} saved reply \`${cmd.name}\`.`);
    case 'send': {
      const conv = await targetConversation(env, cmd.conversationNumber, '/parley saved #1042 name');
      const sent = await sendSavedReply(env.ctx, env.actor, {
        conversationId: conv.id,
        name: cmd.name,
        ...(env.source ? { source: env.source } : {}),
      });
      return message(
        sent.notice ?? `Your saved reply \`${cmd.name}\` to #${sent.conversationNumber} is on its way.`,
      );
    }
  }
}
