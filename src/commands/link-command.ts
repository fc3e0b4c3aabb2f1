import { User } from '../db/entities/index.ts';
import { AppError } from '../domain/errors.ts';
import { updateUser } from '../setup/users.ts';
import { type CommandEnv, platformColumn } from './command-env.ts';
import { type CommandResult, message } from './command-result.ts';
import type { ParsedCommand } from './parse-command.ts';

type LinkCommand = Extract<ParsedCommand, { kind: 'link' }>;

const surfaceLabel = { slack: 'Slack', teams: 'Teams' } as const;

/**
 * R33: an admin links a chat user to the Parley user with that email, so the chat user can act.
 * Alone, `link` says who the user is linked as and how others get linked (a user who is not linked
 * never reaches the runner: the surface answers them with how to get linked).
 */
export async function runLink(env: CommandEnv, cmd: LinkCommand): Promise<CommandResult> {
  const label = surfaceLabel[env.surface];
  if (!cmd.target) {
    return message(
      `You are linked to Parley as ${env.user.name} (${env.user.email}). To link a teammate, a Parley admin runs \`/parley link @them their@email\`.`,
    );
  }
  if (env.user.role !== 'admin') {
    throw new AppError(
      'forbidden',
      `Only a Parley admin can link ${label} users. Ask an admin to run \`/parley link @them their@email\`.`,
      { rule: 'R33' },
    );
  }
  const { userId: platformId, email } = cmd.target;
  const column = platformColumn(env.surface);
  const target = await env.lookup.findOne(User, { account: env.user.account.id, email });
  if (!target) {
    throw new AppError(
      'not_found',
      `There is no Parley user with the email ${email}. Add the user first (admin API or \`parley users create\`), then link them.`,
    );
  }
  if (target[column] === platformId)
    return message(`<@${platformId}> is already linked to ${target.name} (${email}).`);
  // R35: a linked identity is changed only through the admin API or CLI (audited, the previous chat
  // user told), never by a command: a command could hand someone's restricted conversations over.
  if (target[column]) {
    throw new AppError(
      'conflict',
      `${target.name} (${email}) is already linked to another ${label} user. Only an admin changes a linked identity, with the admin API (PATCH /users/{id}) or \`npx parley users link-${env.surface} ${email} <new id>\`; the previous ${label} user is told.`,
      { rule: 'R35' },
    );
  }
  // Refused here with the holder named; the unique index refuses the same in a race (updateUser).
  const holder = await env.lookup.findOne(User, { [column]: platformId });
  if (holder) {
    const who = holder.account.id === env.user.account.id ? holder.email : 'someone in another account';
    throw new AppError(
      'conflict',
      `<@${platformId}> is already linked to the Parley user ${who}. A ${label} user links to one Parley user only; an admin unlinks them first (admin API or \`npx parley users unlink-${env.surface}\`).`,
    );
  }
  await updateUser(
    env.lookup,
    target.id,
    { [column]: platformId },
    {
      kind: 'system',
      reason: `${env.surface}-link by ${env.user.email}`,
    },
    { dispatch: env.ctx.dispatch },
  );
  return message(`Linked <@${platformId}> to ${target.name} (${email}).`);
}
