import type { Command } from 'commander';
import { registerAutoResponderCommands } from './auto-responder-commands.ts';
import { registerCsatCommands } from './csat-commands.ts';
import { registerDirectoryCommands } from './directory-commands.ts';
import { registerEndpointCommands } from './endpoint-commands.ts';
import { type CliIo, type OpenDatabase, processIo } from './io.ts';
import { registerSavedReplyCommands } from './saved-reply-commands.ts';
import { registerSlaCommands } from './sla-commands.ts';
import { registerWorkspaceCommands } from './workspace-commands.ts';

export type { CliIo, OpenDatabase } from './io.ts';

/**
 * Adds the workspace setup commands to the `parley` program: `workspace apply|export`,
 * `groups`, `users`, `endpoints`, `contacts`. They call the same setup functions as the admin API.
 * `open` connects to the database for one command; `io` is where output goes (tests capture it).
 */
export function registerSetupCommands(program: Command, open: OpenDatabase, io: CliIo = processIo): void {
  registerWorkspaceCommands(program, open, io);
  registerDirectoryCommands(program, open, io);
  registerAutoResponderCommands(program, open, io);
  registerEndpointCommands(program, open, io);
  registerSavedReplyCommands(program, open, io);
  registerCsatCommands(program, open, io);
  registerSlaCommands(program, open, io);
}
