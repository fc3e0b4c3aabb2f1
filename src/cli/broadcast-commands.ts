import type { EntityManager } from '@mikro-orm/postgresql';
import type { Command } from 'commander';
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import { ChannelEndpoint, type Group } from '../db/entities/index.ts';
import { userActor } from '../domain/actor.ts';
import { capabilitiesOf } from '../domain/channels.ts';
import { AppError } from '../domain/errors.ts';
import { wakeBroadcast } from '../jobs/broadcast-wake.ts';
import { createQueues } from '../jobs/queues.ts';
import { findActingUser } from '../queries/acting-user.ts';
import { broadcastProgressFor } from '../queries/broadcast-progress.ts';
import { findGroupByName } from '../setup/groups.ts';
import { previewBroadcast } from '../use-cases/broadcast-preview.ts';
import { type CreateBroadcastInput, createBroadcast } from '../use-cases/create-broadcast.ts';
import { type CliIo, type OpenDatabase, processIo, table, withDatabase } from './io.ts';

interface SendOptions {
  as: string;
  group: string;
  endpoint: string;
  tag?: string;
  contacts?: string;
  text?: string;
  template?: string;
  language: string;
  param?: string[];
  dryRun?: boolean;
}

const fail = (message: string) => new AppError('validation_failed', message);

/** The group's endpoint named by id, name or address (`+15550001111`). */
async function findEndpoint(em: EntityManager, group: Group, ref: string): Promise<ChannelEndpoint> {
  const all = await em.find(ChannelEndpoint, { group }, { orderBy: { createdAt: 'asc' } });
  const found = all.filter((e) => e.id === ref || e.name === ref || e.address === ref);
  if (found.length === 1) return found[0]!;
  const known = all.map((e) => `${e.name} (${e.channel} ${e.address})`).join(', ') || 'none';
  throw fail(
    found.length === 0
      ? `The group ${group.name} has no number or widget "${ref}". Its endpoints: ${known}.`
      : `"${ref}" names several endpoints of ${group.name}; use its id.`,
  );
}

function inputOf(o: SendOptions, group: Group, endpoint: ChannelEndpoint): CreateBroadcastInput {
  if (!o.tag === !o.contacts) throw fail('Give either --tag <tag> or --contacts <id,id,...>, not both.');
  if (!o.text === !o.template) throw fail('Give either --text <text> or --template <name>, not both.');
  const target = o.tag
    ? { tag: o.tag }
    : {
        contactIds: (o.contacts ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      };
  return {
    groupId: group.id,
    endpointId: endpoint.id,
    ...(o.text ? { text: o.text } : {}),
    ...(o.template
      ? { template: { name: o.template, language: o.language, parameters: o.param ?? [] } }
      : {}),
    target,
  };
}

/**
 * `broadcasts send|show` (R8): a broadcast sent and followed as a named Parley user (`--as`),
 * checked like their chat command (R33). The worker sends it; without Redis at hand the reconciler
 * starts it within a minute.
 */
export function registerBroadcastCommands(
  program: Command,
  open: OpenDatabase,
  config: () => Config,
  io: CliIo = processIo,
): void {
  const broadcasts = program
    .command('broadcasts')
    .description('send a message to many contacts and follow it (R8)');

  broadcasts
    .command('send')
    .description('send one message to every contact with a tag, or to a list of contacts')
    .requiredOption('--as <user>', 'the Parley user sending it (email or id): a member of the group')
    .requiredOption('--group <name>', 'the group it is sent in')
    .requiredOption('--endpoint <ref>', "the group's number or widget to send from (name, address or id)")
    .option('--tag <tag>', 'every contact with this tag')
    .option('--contacts <ids>', 'contact ids, separated by commas')
    .option('--text <text>', 'the message')
    .option('--template <name>', 'a WhatsApp template (reaches contacts outside the 24-hour window)')
    .option('--language <code>', "the template's language", 'en')
    .option('--param <value>', 'a template parameter (repeat in order)', (v: string, p: string[] = []) => [
      ...p,
      v,
    ])
    .option('--dry-run', 'only show who would receive it and who is left out, and why')
    .action((o: SendOptions) =>
      withDatabase(open, io, async (em) => {
        const user = await findActingUser(em, o.as);
        const group = await findGroupByName(em, o.group);
        const endpoint = await findEndpoint(em, group, o.endpoint);
        const input = inputOf(o, group, endpoint);
        const ctx = { em: em.fork() as EntityManager };
        const preview = await previewBroadcast(ctx, userActor(user.id), input);
        io.out(`${preview.willReceive} of ${preview.total} contacts will receive it.`);
        for (const l of preview.leftOut) io.out(`  ${l.count} left out: ${l.label}`);
        if (o.dryRun) return io.out('Dry run: nothing was sent.');
        const res = await createBroadcast(ctx, userActor(user.id), input);
        io.out(`Broadcast ${res.broadcastId}: ${res.queued} queued, ${res.refused} left out.`);
        io.out(`Follow it with: parley broadcasts show ${res.broadcastId} --as ${user.email}`);
        if (res.queued > 0) await startNow(config(), res.broadcastId, io);
      }),
    );

  broadcasts
    .command('show')
    .description("a broadcast's progress: totals, reasons and each recipient's result")
    .argument('<id>', 'the broadcast id')
    .requiredOption('--as <user>', 'the Parley user looking (email or id): a member of the group')
    .option('--recipients', 'list every recipient with their result and reason')
    .action((id: string, o: { as: string; recipients?: boolean }) =>
      withDatabase(open, io, async (em) => {
        const user = await findActingUser(em, o.as);
        const p = await broadcastProgressFor(em, userActor(user.id), id);
        const channel = capabilitiesOf(p.channel)?.label ?? p.channel;
        const to = p.target.tag ? `tag "${p.target.tag}"` : `${p.total} chosen contacts`;
        io.out(`Broadcast ${p.broadcastId} to ${to} on ${channel}: ${p.state}`);
        io.out(
          `  ${p.total} recipients: ${p.queued} queued, ${p.sent} sent, ${p.delivered + p.read} delivered, ${p.failed} failed, ${p.refused} left out${p.removed ? `, ${p.removed} removed` : ''}`,
        );
        for (const r of p.reasons)
          io.out(`  ${r.count} ${r.result === 'refused' ? 'left out' : 'failed'}: ${r.label}`);
        if (o.recipients)
          for (const line of table(
            ['contact', 'result', 'reason'],
            p.recipients.map((r) => [r.contactId, r.result, r.reason]),
          ))
            io.out(line);
      }),
    );
}

/** Wakes the worker at once; if Redis cannot be reached, the reconciler finds the broadcast anyway. */
async function startNow(config: Config, broadcastId: string, io: CliIo): Promise<void> {
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 3_000 });
  redis.on('error', () => {});
  const queues = createQueues(redis, config.REDIS_PREFIX);
  try {
    await wakeBroadcast(queues, broadcastId, '0');
  } catch {
    io.out('(Redis could not be reached: a Parley worker starts it within a minute.)');
  } finally {
    await queues.close().catch(() => {});
    redis.disconnect();
  }
}
