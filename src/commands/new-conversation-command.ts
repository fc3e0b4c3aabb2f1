import { ChannelEndpoint, Contact, ContactIdentity, Group } from '../db/entities/index.ts';
import { listNames } from '../domain/assignment.ts';
import { channelCapabilities, phoneChannels } from '../domain/channels.ts';
import { AppError } from '../domain/errors.ts';
import { startConversation } from '../use-cases/start-conversation.ts';
import type { CommandEnv } from './command-env.ts';
import { type CommandResult, message } from './command-result.ts';
import type { ContactArg, ParsedCommand } from './parse-command.ts';
import { templateRefFor } from './template-language.ts';

type NewCommand = Extract<ParsedCommand, { kind: 'new' }>;

/**
 * R7/R30: a user writes first to a known contact. The group is the one named with `group:`, or
 * the only group of the user's that has a number or widget on that channel.
 */
export async function runNew(env: CommandEnv, cmd: NewCommand): Promise<CommandResult> {
  const contact = await findContact(env, cmd.contact, cmd.channel);
  const { group, endpointId } = await chooseGroup(env, cmd);
  const template = cmd.template && (await templateRefFor(env.lookup, endpointId, cmd.template));
  const started = await startConversation(env.ctx, env.actor, {
    groupId: group.id,
    contactId: contact.id,
    channel: cmd.channel,
    ...(cmd.text !== undefined ? { text: cmd.text } : {}),
    ...(template ? { template } : {}),
  });
  const label = channelCapabilities[cmd.channel].label;
  return message(
    started.notice ??
      `Started #${started.conversationNumber} with ${contact.name ?? 'the contact'} on ${label}; your message is on its way.`,
  );
}

/** The one contact a command names by phone, email or name (phone: the `channel` entry first). */
export async function findContact(env: CommandEnv, arg: ContactArg, channel: string): Promise<Contact> {
  const account = env.user.account.id;
  if (arg.by === 'phone') {
    // R3: a phone number is one person on every phone channel; the chosen channel's entry wins.
    const identities = await env.lookup.find(ContactIdentity, {
      account,
      address: arg.phone,
      channel: { $in: phoneChannels },
    });
    const identity = identities.find((i) => i.channel === channel) ?? identities[0];
    if (!identity) throw unknownContact(`No contact has the number ${arg.phone}`);
    return env.lookup.findOneOrFail(Contact, { id: identity.contact.id });
  }
  if (arg.by === 'email') {
    const rows = await env.lookup
      .getConnection()
      .execute<{ id: string }[]>(
        `select id from contact where account_id = ? and lower(portal_profile->>'email') = ? limit 2`,
        [account, arg.email],
      );
    return oneContact(env, rows, `No contact has the email ${arg.email}`, arg.email);
  }
  const rows = await env.lookup
    .getConnection()
    .execute<{ id: string }[]>(
      `select id from contact where account_id = ? and lower(name) = lower(?) limit 2`,
      [account, arg.name],
    );
  return oneContact(env, rows, `No contact is called “${arg.name}”`, `“${arg.name}”`);
}

async function oneContact(
  env: CommandEnv,
  rows: { id: string }[],
  missing: string,
  what: string,
): Promise<Contact> {
  if (rows.length === 0) throw unknownContact(missing);
  if (rows.length > 1) {
    throw new AppError(
      'bad_request',
      `Several contacts match ${what}. Use the contact's phone number or email instead.`,
    );
  }
  return env.lookup.findOneOrFail(Contact, { id: rows[0]!.id });
}

const unknownContact = (missing: string) =>
  new AppError(
    'not_found',
    `${missing}. Check it, or ask an admin to add the contact to Parley, then run the command again.`,
  );

async function chooseGroup(
  env: CommandEnv,
  cmd: NewCommand,
): Promise<{ group: Group; endpointId: string | null }> {
  const groups = await env.lookup.find(
    Group,
    { account: env.user.account.id, id: { $in: [...env.user.groupIds] } },
    { orderBy: { name: 'asc' } },
  );
  if (groups.length === 0)
    throw new AppError('forbidden', 'You are not in any group yet. Ask an admin to add you to one.', {
      rule: 'R33',
    });
  const endpoints = await env.lookup.find(
    ChannelEndpoint,
    { group: { $in: groups.map((g) => g.id) }, channel: cmd.channel },
    { orderBy: { createdAt: 'asc' } },
  );
  // The group's first endpoint on the channel is the one sending will use (start-conversation).
  const endpointOf = (g: Group) => endpoints.find((e) => e.group.id === g.id)?.id ?? null;
  const label = channelCapabilities[cmd.channel].label;

  if (cmd.groupName) {
    const wanted = cmd.groupName.toLowerCase();
    const group = groups.find((g) => g.name.toLowerCase() === wanted);
    if (!group) {
      throw new AppError(
        'bad_request',
        `You are not in a group called “${cmd.groupName}”. Your groups: ${listNames(groups.map((g) => g.name))}.`,
      );
    }
    return { group, endpointId: endpointOf(group) };
  }
  const candidates = groups.filter((g) => endpointOf(g) !== null);
  if (candidates.length === 1) return { group: candidates[0]!, endpointId: endpointOf(candidates[0]!) };
  if (candidates.length === 0) {
    throw new AppError(
      'rule_violation',
      `None of your groups has a ${label} number or widget. Ask an admin to add one, or pick another channel.`,
      { channel: cmd.channel },
    );
  }
  throw new AppError(
    'bad_request',
    `Several of your groups write on ${label}: ${listNames(candidates.map((g) => g.name))}. Say which with \`group:Name\` after the channel.`,
  );
}
