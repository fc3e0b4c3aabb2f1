import type { Command } from 'commander';
import { cliActor } from '../setup/actor.ts';
import { createGroup, findGroupByName, listGroups } from '../setup/groups.ts';
import type { GroupCreate } from '../setup/schemas.ts';
import { createUser, findUserByEmail, listUsers, updateUser } from '../setup/users.ts';
import { registerGroupUpdateCommand } from './group-update-command.ts';
import { type CliIo, collect, type OpenDatabase, table, withDatabase } from './io.ts';

/** `groups ...` and `users ...`: the people side of the workspace. */
export function registerDirectoryCommands(program: Command, open: OpenDatabase, io: CliIo): void {
  const groups = program.command('groups').description('list, create and change groups');

  groups
    .command('list')
    .description('list the groups')
    .action(() =>
      withDatabase(open, io, async (em) => {
        const rows = (await listGroups(em)).map((g) => [
          g.name,
          g.slackChannelId,
          g.teamsChannelId ? `${g.teamsTeamId}/${g.teamsChannelId}` : null,
          g.aiAgent?.enabled ? (g.aiAgent.name ?? 'on') : null,
          g.digestCron,
          g.replies,
          g.csat,
          g.id,
        ]);
        for (const line of table(
          ['NAME', 'SLACK', 'TEAMS', 'AI AGENT', 'DIGEST', 'REPLIES', 'CSAT', 'ID'],
          rows,
        ))
          io.out(line);
      }),
    );

  groups
    .command('create <name>')
    .description('create a group')
    .option('--slack-channel <id>', 'Slack channel id its conversations are mirrored to')
    .option('--teams-team <id>', 'Teams team id (with --teams-channel)')
    .option('--teams-channel <id>', 'Teams channel id (with --teams-team)')
    .option('--digest-cron <cron>', 'when to post the dashboard digest (cron, UTC)')
    .option('--replies <mode>', 'R41: "thread" (default) or "explicit" (plain thread messages are notes)')
    .option(
      '--csat <on|off>',
      'R42: "on" asks the customer once to rate a closed conversation; "off" (default)',
    )
    .action(
      (
        name: string,
        o: {
          slackChannel?: string;
          teamsTeam?: string;
          teamsChannel?: string;
          digestCron?: string;
          replies?: string;
          csat?: string;
        },
      ) =>
        withDatabase(open, io, async (em) => {
          const group = await createGroup(
            em,
            {
              name,
              slackChannelId: o.slackChannel,
              teamsTeamId: o.teamsTeam,
              teamsChannelId: o.teamsChannel,
              digestCron: o.digestCron,
              replies: o.replies as GroupCreate['replies'],
              csat: o.csat as GroupCreate['csat'],
            },
            cliActor,
          );
          io.out(`Created group ${group.name} (${group.id})`);
        }),
    );

  registerGroupUpdateCommand(groups, open, io);

  const users = program.command('users').description('list, create and link users');

  users
    .command('list')
    .description('list the users')
    .option('--group <name>', 'only the users of this group')
    .action((o: { group?: string }) =>
      withDatabase(open, io, async (em) => {
        const groupId = o.group ? (await findGroupByName(em, o.group)).id : undefined;
        const names = new Map((await listGroups(em)).map((g) => [g.id, g.name]));
        const rows = (await listUsers(em, { groupId })).map((u) => [
          u.email,
          u.name,
          u.role,
          u.groupIds.map((id) => names.get(id) ?? id).join(','),
          u.slackUserId,
          u.teamsUserId,
          u.active ? 'yes' : 'no',
        ]);
        for (const line of table(['EMAIL', 'NAME', 'ROLE', 'GROUPS', 'SLACK', 'TEAMS', 'ACTIVE'], rows))
          io.out(line);
      }),
    );

  users
    .command('create')
    .description('create a user')
    .requiredOption('--email <email>', 'their email (unique)')
    .requiredOption('--name <name>', 'their name')
    .option('--role <role>', 'admin or agent', 'agent')
    .option('--group <name>', 'a group they belong to (repeat for several)', collect, [])
    .option('--slack <userId>', 'their Slack user id')
    .option('--teams <userId>', 'their Teams user id')
    .action(
      (o: { email: string; name: string; role: string; group: string[]; slack?: string; teams?: string }) =>
        withDatabase(open, io, async (em) => {
          const groupIds: string[] = [];
          for (const name of o.group) groupIds.push((await findGroupByName(em, name)).id);
          const user = await createUser(
            em,
            {
              email: o.email,
              name: o.name,
              role: o.role as 'agent',
              groupIds,
              slackUserId: o.slack,
              teamsUserId: o.teams,
            },
            cliActor,
          );
          io.out(`Created ${user.role} ${user.email} (${user.id})`);
        }),
    );

  for (const [platform, field] of [
    ['slack', 'slackUserId'],
    ['teams', 'teamsUserId'],
  ] as const) {
    const label = platform === 'slack' ? 'Slack' : 'Teams';
    users
      .command(`link-${platform} <email> <${platform}UserId>`)
      .description(`link a user to their ${label} account (R33: unlinked ${label} users can do nothing)`)
      .action((email: string, externalId: string) =>
        withDatabase(open, io, async (em) => {
          const user = await findUserByEmail(em, email);
          const previous = user[field];
          await updateUser(em, user.id, { [field]: externalId }, cliActor);
          io.out(`Linked ${user.email} to ${label} user ${externalId}`);
          // R35: audited by updateUser; the worker tells the previous chat user and clears their App Home.
          if (previous && previous !== externalId)
            io.out(`${label} user ${previous} is no longer linked to ${user.email} and will be told.`);
        }),
      );
    users
      .command(`unlink-${platform} <email>`)
      .description(`unlink a user from their ${label} account (R35: audited, the ${label} user is told)`)
      .action((email: string) =>
        withDatabase(open, io, async (em) => {
          const user = await findUserByEmail(em, email);
          const previous = user[field];
          if (!previous) {
            io.out(`${user.email} is not linked to a ${label} user; nothing to do.`);
            return;
          }
          await updateUser(em, user.id, { [field]: null }, cliActor);
          io.out(`Unlinked ${user.email} from ${label} user ${previous}; they will be told.`);
        }),
      );
  }
}
