import { Command } from 'commander';
import { registerSetupCommands } from '../../src/cli/setup-commands.ts';
import type { TestDb } from './test-db.ts';

/**
 * `parley <args>` (the setup commands) against a test database, in process: what it printed on
 * stdout (`out`), on stderr (`err`), both in order (`text`), and its exit code.
 */
export function setupCli(db: TestDb) {
  return async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const text: string[] = [];
    let exitCode = 0;
    const program = new Command('parley').exitOverride().configureOutput({
      writeOut: (s) => out.push(s.trimEnd()),
      writeErr: (s) => err.push(s.trimEnd()),
    });
    registerSetupCommands(program, async () => ({ orm: db.orm, close: async () => {} }), {
      out: (l) => {
        out.push(l);
        text.push(l);
      },
      err: (l) => {
        err.push(l);
        text.push(l);
      },
      fail: (code) => {
        exitCode = code;
      },
    });
    await program.parseAsync(args, { from: 'user' });
    return { out: out.join('\n'), err: err.join('\n'), text: text.join('\n'), exitCode };
  };
}
