import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerConversationCommands } from '../../src/cli/conversation-commands.ts';
import { seedInvoice } from '../http/conversations-api-support.ts';
import { clock, seedConversation, workspace } from '../queries/support.ts';
import { createTestDb } from '../support/test-db.ts';

const db = await createTestDb();
const { ws } = await workspace(db);
const now = clock();

const open = await seedConversation(db, ws, now, {
  contactName: 'Dana Parcel',
  assignees: [ws.bob],
  messages: [
    { kind: 'inbound', text: 'Where is my parcel?' },
    { kind: 'note', text: 'Courier says Tuesday', author: ws.bob },
  ],
});
const closed = await seedConversation(db, ws, now, { contactName: 'Fay Closed', status: 'closed' });
const secret = await seedConversation(db, ws, now, {
  contactName: 'Gus Secret',
  visibleTo: [ws.alice],
  messages: [{ kind: 'inbound', text: 'Confidential merger question' }],
});
await seedInvoice(db, open, 'INV-CLI-1');

/** Runs `parley <args>` against the test database; returns its output and exit code. */
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
  registerConversationCommands(program, async () => ({ orm: db.orm, close: async () => {} }), io);
  await program.parseAsync(args, { from: 'user' });
  return { out: out.join('\n'), err: err.join('\n'), exitCode };
}

/** The `#n` column of a `conversations list` answer, its header left out. */
const numbersIn = (out: string) =>
  out
    .split('\n')
    .slice(1)
    .map((l) => l.split(' ')[0]);

describe('parley conversations list|show (R10, R17, R33)', () => {
  it('R17: lists what the named user may see, with filters; the restricted one only for its list', async () => {
    const bob = await parley(['conversations', 'list', '--as', 'bob@acme.test']);
    expect(bob.exitCode).toBe(0);
    expect(bob.out).toContain(`#${open.number}`);
    expect(bob.out).not.toContain(`#${secret.number}`);
    expect(bob.out).not.toContain('merger');
    const alice = await parley(['conversations', 'list', '--as', 'alice@acme.test']);
    expect(alice.out).toContain(`#${secret.number}`);
    expect(alice.out).toContain('Gus Secret (restricted)');

    const closedOnly = await parley(['conversations', 'list', '--as', 'bob@acme.test', '--status', 'closed']);
    expect(closedOnly.out).toContain(`#${closed.number}`);
    expect(closedOnly.out).not.toContain(`#${open.number}`);
    const mine = await parley([
      'conversations',
      'list',
      '--as',
      'alice@acme.test',
      '--assignee',
      'bob@acme.test',
    ]);
    expect(numbersIn(mine.out)).toEqual([`#${open.number}`]);
    const words = await parley([
      'conversations',
      'list',
      '--as',
      'alice@acme.test',
      '--words',
      'merger',
      '--unreplied',
    ]);
    expect(numbersIn(words.out)).toEqual([`#${secret.number}`]);
    const group = await parley([
      'conversations',
      'list',
      '--as',
      'bob@acme.test',
      '--group',
      'Support',
      '--channel',
      'sms',
    ]);
    expect(group.out).toBe('No conversations match.');
  });

  it('pages: --limit and the printed --cursor', async () => {
    const first = await parley([
      'conversations',
      'list',
      '--as',
      'alice@acme.test',
      '--status',
      'all',
      '--limit',
      '2',
    ]);
    const cursor = /--cursor (\S+)/.exec(first.out)?.[1];
    expect(cursor).toBeTruthy();
    const rest = await parley([
      'conversations',
      'list',
      '--as',
      'alice@acme.test',
      '--status',
      'all',
      '--cursor',
      cursor!,
    ]);
    expect(rest.out).toContain(`#${open.number}`);
    expect(rest.out).not.toContain('--cursor');
  });

  it('R5: shows a conversation with its notes marked private and its invoices', async () => {
    const shown = await parley(['conversations', 'show', `#${open.number}`, '--as', 'bob@acme.test']);
    expect(shown.exitCode).toBe(0);
    expect(shown.out).toContain('Dana Parcel: Where is my parcel?');
    expect(shown.out).toContain('Bob [private note]: Courier says Tuesday');
    expect(shown.out).toMatch(/invoice INV-CLI-1 .*unpaid/);
    const byId = await parley(['conversations', 'show', open.id, '--as', 'bob@acme.test']);
    expect(byId.out).toContain('Where is my parcel?');
  });

  it('R17 R33: refuses a restricted conversation, another group’s, and a call that names nobody', async () => {
    const restricted = await parley([
      'conversations',
      'show',
      String(secret.number),
      '--as',
      'bob@acme.test',
    ]);
    expect(restricted.exitCode).toBe(1);
    expect(restricted.err).toContain('restricted to a list of users you are not on');
    expect(restricted.out).not.toContain('merger');
    const other = await parley(['conversations', 'show', String(open.number), '--as', 'carol@acme.test']);
    expect(other.exitCode).toBe(1);
    expect(other.err).toContain('does not exist or is not in your groups');
    const nobody = await parley(['conversations', 'list']);
    expect(nobody.exitCode).toBe(1);
    expect(nobody.err).toContain('--as');
  });
});
