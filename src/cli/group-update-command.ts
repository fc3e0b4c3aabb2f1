import type { Command } from 'commander';
import { cliActor } from '../setup/actor.ts';
import { findGroupByName, updateGroup } from '../setup/groups.ts';
import type { GroupPatch } from '../setup/schemas.ts';
import { type CliIo, type OpenDatabase, withDatabase } from './io.ts';

/** Commander gives a string for `--x <v>`, false for `--no-x`, undefined when neither is given. */
type Setting = string | false | undefined;

interface UpdateOptions {
  rename?: string;
  slackChannel?: Setting;
  teamsTeam?: string;
  teamsChannel?: Setting;
  digestCron?: Setting;
  replies?: string;
  csat?: string;
}

/** `--x <v>` sets, `--no-x` clears (null), neither leaves it as it is. */
const setting = (v: Setting) => (v === false ? null : v);

/** The admin API's group update (PATCH /groups/{id}) as options: same use-case, same checks. */
export function toGroupPatch(o: UpdateOptions): GroupPatch {
  const unlinkTeams = o.teamsChannel === false;
  return {
    name: o.rename,
    slackChannelId: setting(o.slackChannel),
    teamsTeamId: unlinkTeams ? null : o.teamsTeam,
    teamsChannelId: setting(o.teamsChannel),
    digestCron: setting(o.digestCron),
    // Checked by the use-case's schema, as the API's: a wrong word is named there.
    replies: o.replies as GroupPatch['replies'],
    csat: o.csat as GroupPatch['csat'],
  };
}

const FIELDS = [
  'name',
  'slackChannelId',
  'teamsTeamId',
  'teamsChannelId',
  'digestCron',
  'replies',
  'csat',
] as const;

/** `groups update <name>`: rename a group, link or unlink its Slack or Teams channel, set its digest. */
export function registerGroupUpdateCommand(groups: Command, open: OpenDatabase, io: CliIo): void {
  groups
    .command('update <name>')
    .description(
      'change a group: rename it, link or unlink its channels, set or clear its digest, set its reply mode or CSAT',
    )
    .option('--rename <newName>', 'its new name')
    .option('--slack-channel <id>', 'the Slack channel its conversations are mirrored to')
    .option('--no-slack-channel', 'unlink its Slack channel')
    .option('--teams-team <id>', 'Teams team id (with --teams-channel)')
    .option('--teams-channel <id>', 'Teams channel id (with --teams-team)')
    .option('--no-teams-channel', 'unlink its Teams channel')
    .option('--digest-cron <cron>', 'when to post the dashboard digest (cron, UTC)')
    .option('--no-digest-cron', 'post no digest')
    .option(
      '--csat <on|off>',
      'R42: "on" asks the customer once to rate a closed conversation (1–5); "off" asks nothing',
    )
    .option(
      '--replies <mode>',
      'R41: "thread" (a plain thread message goes to the customer) or "explicit" (it is a note; send with !reply)',
    )
    .action((name: string, o: UpdateOptions) =>
      withDatabase(open, io, async (em) => {
        const patch = toGroupPatch(o);
        if (Object.values(patch).every((v) => v === undefined)) {
          io.err('error: nothing to change; give an option (see `parley groups update --help`).');
          io.fail(1);
          return;
        }
        const group = await findGroupByName(em, name);
        const before = FIELDS.map((f) => group[f] ?? null);
        const updated = await updateGroup(em, group.id, patch, cliActor);
        const changed = FIELDS.filter((f, i) => (updated[f] ?? null) !== before[i]);
        io.out(
          changed.length > 0
            ? `Updated group ${updated.name} (${updated.id}): ${changed.join(', ')}`
            : `Group ${updated.name} already had these settings; nothing changed.`,
        );
      }),
    );
}
