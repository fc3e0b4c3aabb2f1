import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { registerAiCommands } from './cli/ai-commands.ts';
import { registerBroadcastCommands } from './cli/broadcast-commands.ts';
import { registerConversationCommands } from './cli/conversation-commands.ts';
import { runProcess } from './cli/main-commands.ts';
import { createMigration, migrateDatabase, pendingSchemaChanges } from './cli/migrations.ts';
import { registerSetupCommands } from './cli/setup-commands.ts';
import { registerTeamsCommands } from './cli/teams-commands.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createOrm } from './db/orm.ts';
import { createLogger } from './logger.ts';
import { useLocalServices } from './process/local-services.ts';
import { StartupError, withDatabase } from './process/startup-errors.ts';

/** Composition root: `parley all | web | worker | migrate | db ... | <setup commands>`. */
function config() {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee "Configuration" in README.md.\n`);
      process.exit(2);
    }
    throw err;
  }
}

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
// No default command: `parley` alone prints the help, and a mistyped command is named as unknown.
const program = new Command('parley')
  .description('Parley: customer conversations in Slack and Teams')
  .version(version, '-V, --version', 'print the version of Parley');

const start = (roles: ('web' | 'worker')[]) => async () => {
  // A first run without PostgreSQL or Redis: embedded/local ones when the URLs are unset (README, "Quick start").
  await useLocalServices(process.env, createLogger(config().LOG_LEVEL));
  const c = config();
  await runProcess(c, createLogger(c.LOG_LEVEL), roles);
};
program
  .command('all')
  .description('run the web server and the workers in one process')
  .action(start(['web', 'worker']));
program
  .command('web')
  .description('run the web server only (webhooks, admin API)')
  .action(start(['web']));
program
  .command('worker')
  .description('run the job workers and the reconciler only')
  .action(start(['worker']));
program
  .command('migrate')
  .description('create the database if missing and apply pending migrations')
  .action(async () => {
    const url = config().DATABASE_URL;
    const applied = await withDatabase(url, () => migrateDatabase(url));
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  });

const db = program.command('db').description('schema maintenance for Parley developers');
db.command('migration-create')
  .description('generate a migration from the entities (MikroORM) and update the snapshot')
  .action(async () => {
    const url = config().DATABASE_URL;
    const file = await withDatabase(url, () => createMigration(url));
    process.stdout.write(
      file ? `created migrations/${file}\n` : 'entities and schema agree; nothing to generate\n',
    );
  });
db.command('migration-check')
  .description('exit 1 when the entities and the migrations disagree')
  .action(async () => {
    const url = config().DATABASE_URL;
    await withDatabase(url, () => migrateDatabase(url));
    const pending = await pendingSchemaChanges(url);
    if (pending.length > 0) {
      process.stderr.write(`entities and migrations disagree:\n${pending.join('\n')}\n`);
      process.exit(1);
    }
    process.stdout.write('entities and migrations agree\n');
  });

const openDatabase = async () => {
  const c = config();
  const orm = await withDatabase(c.DATABASE_URL, async () => {
    await migrateDatabase(c.DATABASE_URL);
    return createOrm({ databaseUrl: c.DATABASE_URL, poolMax: 2 });
  });
  return { orm, close: () => orm.close(true) };
};
registerSetupCommands(program, openDatabase);
registerAiCommands(program, openDatabase, config);
registerConversationCommands(program, openDatabase);
registerBroadcastCommands(program, openDatabase, config);

registerTeamsCommands(program, config);

await program.parseAsync(process.argv).catch((err: unknown) => {
  // Something in the environment to fix (a busy port, an unreachable database): one line, like a configuration error.
  if (err instanceof StartupError) {
    process.stderr.write(`Parley cannot start: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
