import { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerBroadcastCommands } from '../../src/cli/broadcast-commands.ts';
import { loadConfig } from '../../src/config.ts';
import { Broadcast, Contact, Message } from '../../src/db/entities/index.ts';
import { sendBroadcastBatch } from '../../src/use-cases/send-broadcast-batch.ts';
import { seedContact, seedWorkspace, type Workspace } from '../support/fixtures.ts';
import { createTestRedis } from '../support/redis.ts';
import { createTestDb } from '../support/test-db.ts';
import { redisUrl } from '../support/test-env.ts';

/** `parley broadcasts send|show` (R8) as a named Parley user, against the test database and Redis. */
const db = await createTestDb();
const redis = createTestRedis();
const config = loadConfig({ REDIS_URL: redisUrl(), REDIS_PREFIX: redis.prefix });
let ws: Workspace;

beforeAll(async () => {
  ws = await seedWorkspace(db.em());
});

async function parley(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  let exitCode = 0;
  const io = {
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
    fail: (code: number) => {
      exitCode = code;
    },
  };
  const program = new Command('parley').exitOverride();
  registerBroadcastCommands(
    program,
    async () => ({ orm: db.orm, close: async () => {} }),
    () => config,
    io,
  );
  await program.parseAsync(args, { from: 'user' });
  return { out: out.join('\n'), err: err.join('\n'), exitCode };
}

/** A command line as words (none of these has a space inside). */
const argv = (line: string) => line.split(' ');

describe('parley broadcasts', () => {
  it('R8: send previews who is left out and why, queues the broadcast for the worker, and show follows it', async () => {
    const fans = [];
    for (let i = 0; i < 3; i++)
      fans.push(await seedContact(db.em(), ws.account, { name: `Fan ${i}`, tags: ['cli'] }));
    await db.em().nativeUpdate(Contact, { id: fans[2]!.contact.id }, { optedOutChannels: ['sms'] });
    const base = [
      'broadcasts',
      'send',
      '--as',
      'bob@acme.test',
      '--group',
      'Support',
      '--endpoint',
      'Support SMS',
    ];

    const dry = await parley([...base, '--tag', 'cli', '--text', 'Hello fans', '--dry-run']);
    expect(dry.exitCode).toBe(0);
    expect(dry.out).toBe(
      [
        '2 of 3 contacts will receive it.',
        '  1 left out: opted out of SMS',
        'Dry run: nothing was sent.',
      ].join('\n'),
    );
    expect(await db.em().count(Broadcast, {})).toBe(0);

    const sent = await parley([...base, '--tag', 'cli', '--text', 'Hello fans']);
    expect(sent.exitCode).toBe(0);
    const id = /Broadcast ([0-9a-f-]{36}): 2 queued, 1 left out\./.exec(sent.out)?.[1];
    expect(id, sent.out).toBeDefined();
    // The worker is woken at once: the broadcast's first batch waits in its queue.
    const queue = redis.queues.byName.get('broadcast')!;
    expect((await queue.getJobs(['waiting', 'delayed'])).map((j) => j.data.broadcastId)).toEqual([id]);

    // The worker sends it (as its job would), then show tells where it stands.
    for (let i = 0; i < 5; i++) {
      const batch = await sendBroadcastBatch({ em: db.em() }, id!);
      if (batch.outcome !== 'sent') break;
    }
    expect(await db.em().count(Message, { meta: { broadcastId: id } })).toBe(2);
    const shown = await parley(['broadcasts', 'show', id!, '--as', 'alice@acme.test', '--recipients']);
    expect(shown.exitCode).toBe(0);
    expect(shown.out).toContain(`Broadcast ${id} to tag "cli" on SMS: finished`);
    expect(shown.out).toContain('3 recipients: 2 queued, 0 sent, 0 delivered, 0 failed, 1 left out');
    expect(shown.out).toContain('1 left out: opted out of SMS');
    expect(shown.out).toContain(`${fans[2]!.contact.id}  refused`);
  });

  it('R8, R33: a user outside the group is refused; contradictory options are explained', async () => {
    await seedContact(db.em(), ws.account, { name: 'Solo', tags: ['solo'] });
    const asCarol = await parley(
      argv(
        'broadcasts send --as carol@acme.test --group Support --endpoint +15550001111 --tag solo --text x',
      ),
    );
    expect(asCarol.exitCode).toBe(1);
    expect(asCarol.err).toContain('not a member of the group "Support"');

    const both = await parley([
      'broadcasts',
      'send',
      '--as',
      'bob@acme.test',
      '--group',
      'Support',
      '--endpoint',
      'Support SMS',
      '--tag',
      'solo',
      '--contacts',
      ws.bob.id,
      '--text',
      'x',
    ]);
    expect(both.exitCode).toBe(1);
    expect(both.err).toContain('either --tag');

    const wrongEndpoint = await parley(
      argv('broadcasts send --as bob@acme.test --group Support --endpoint Nope --tag solo --text x'),
    );
    expect(wrongEndpoint.exitCode).toBe(1);
    expect(wrongEndpoint.err).toContain('Support SMS (sms +15550001111)');

    const hidden = await parley(['broadcasts', 'show', ws.bob.id, '--as', 'carol@acme.test']);
    expect(hidden.exitCode).toBe(1);
    expect(hidden.err).toContain('does not exist');
  });
});
