import type { Command } from 'commander';
import { cliActor } from '../setup/actor.ts';
import { createContact, listContacts } from '../setup/contacts.ts';
import { createEndpoint, listEndpoints } from '../setup/endpoints.ts';
import { findGroupByName, listGroups } from '../setup/groups.ts';
import { registerContactMergeCommand } from './contact-merge-command.ts';
import { type CliIo, collect, type OpenDatabase, parseIdentity, table, withDatabase } from './io.ts';
import { registerWidgetTextCommands } from './widget-text-commands.ts';

/** `endpoints ...` and `contacts ...`: the customer side of the workspace. */
export function registerEndpointCommands(program: Command, open: OpenDatabase, io: CliIo): void {
  const endpoints = program
    .command('endpoints')
    .description('list and create channel endpoints (numbers, widgets)');

  endpoints
    .command('list')
    .description('list the channel endpoints')
    .option('--group <name>', 'only those of this group')
    .action((o: { group?: string }) =>
      withDatabase(open, io, async (em) => {
        const groupId = o.group ? (await findGroupByName(em, o.group)).id : undefined;
        const names = new Map((await listGroups(em)).map((g) => [g.id, g.name]));
        const rows = (await listEndpoints(em, { groupId })).map((e) => [
          e.channel,
          e.address,
          e.name,
          names.get(e.group.id),
          e.id,
        ]);
        for (const line of table(['CHANNEL', 'ADDRESS', 'NAME', 'GROUP', 'ID'], rows)) io.out(line);
      }),
    );

  endpoints
    .command('create')
    .description('create a channel endpoint owned by a group')
    .requiredOption('--group <name>', 'the group that owns it')
    .requiredOption('--channel <channel>', 'webchat, whatsapp or sms')
    .requiredOption('--address <address>', 'WhatsApp phone number id, SMS number or webchat widget key')
    .requiredOption('--name <name>', 'a name people recognise')
    .action((o: { group: string; channel: string; address: string; name: string }) =>
      withDatabase(open, io, async (em) => {
        const group = await findGroupByName(em, o.group);
        const input = { groupId: group.id, channel: o.channel as 'sms', address: o.address, name: o.name };
        const endpoint = await createEndpoint(em, input, cliActor);
        io.out(`Created ${endpoint.channel} endpoint ${endpoint.address} for ${group.name} (${endpoint.id})`);
      }),
    );

  registerWidgetTextCommands(endpoints, open, io);

  const contacts = program.command('contacts').description('list, create and merge contacts');
  registerContactMergeCommand(contacts, open, io);

  contacts
    .command('list')
    .description('list contacts')
    .option('--tag <tag>', 'only contacts with this tag')
    .option('--name <text>', 'only contacts whose name contains this')
    .option('--limit <n>', 'at most this many', '100')
    .action((o: { tag?: string; name?: string; limit: string }) =>
      withDatabase(open, io, async (em) => {
        const records = await listContacts(em, { tag: o.tag, name: o.name, limit: Number(o.limit) });
        const rows = records.map(({ contact, identities }) => [
          contact.name,
          contact.tags.join(','),
          identities.map((i) => `${i.channel}:${i.address}`).join(' '),
          contact.id,
        ]);
        for (const line of table(['NAME', 'TAGS', 'IDENTITIES', 'ID'], rows)) io.out(line);
      }),
    );

  contacts
    .command('create')
    .description('create a contact')
    .option('--name <name>', 'their name')
    .option('--tag <tag>', 'a tag (repeat for several)', collect, [])
    .option(
      '--identity <channel:address>',
      'how they are reached, e.g. sms:+15551234567 (repeat)',
      collect,
      [],
    )
    .option('--portal-id <id>', 'their customer id on the site portal (webchat reaches known customers)')
    .action((o: { name?: string; tag: string[]; identity: string[]; portalId?: string }) =>
      withDatabase(open, io, async (em) => {
        const { contact } = await createContact(
          em,
          {
            name: o.name,
            tags: o.tag,
            identities: o.identity.map((i) => parseIdentity(i)),
            portalProfile: o.portalId ? { externalId: o.portalId } : undefined,
          },
          cliActor,
        );
        io.out(`Created contact ${contact.name ?? '(no name)'} (${contact.id})`);
      }),
    );
}
