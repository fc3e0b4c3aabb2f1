import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../domain/errors.ts';
import { cliActor } from '../setup/actor.ts';
import { applyWorkspace } from '../setup/workspace/apply.ts';
import { exportWorkspace, workspaceToYaml } from '../setup/workspace/export.ts';
import { parseWorkspaceText } from '../setup/workspace/schema.ts';
import { describeSummary } from '../setup/workspace/summary.ts';
import { type CliIo, type OpenDatabase, withDatabase } from './io.ts';

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new AppError(
      'bad_request',
      `Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`,
    );
  }
}

export function registerWorkspaceCommands(program: Command, open: OpenDatabase, io: CliIo): void {
  const workspace = program.command('workspace').description('set up the workspace from a declarative file');

  workspace
    .command('apply <file>')
    .description(
      'create and update groups, users, endpoints and contacts to match a YAML or JSON file (never deletes)',
    )
    .option('--dry-run', 'show what would change, write nothing')
    .action((file: string, opts: { dryRun?: boolean }) =>
      withDatabase(open, io, async (em) => {
        const doc = parseWorkspaceText(await readText(file), file);
        const summary = await applyWorkspace(em, doc, { dryRun: opts.dryRun, actor: cliActor, source: file });
        for (const line of describeSummary(summary)) io.out(line);
      }),
    );

  workspace
    .command('export')
    .description('print the workspace as a file that `workspace apply` accepts')
    .option('--contacts', 'include contacts')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .action((opts: { contacts?: boolean; output?: string }) =>
      withDatabase(open, io, async (em) => {
        const text = workspaceToYaml(await exportWorkspace(em, { contacts: opts.contacts }));
        if (!opts.output) return io.out(text.trimEnd());
        await writeFile(opts.output, text);
        io.out(`Wrote ${opts.output}`);
      }),
    );
}
