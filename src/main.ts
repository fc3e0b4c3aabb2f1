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

const program = new Command('parley').description('Parley: customer conversations in Slack and Teams');

const start = (roles: ('web' | 'worker')[]) => async () => {
  const c = config();
  await runProcess(c, createLogger(c.LOG_LEVEL), roles);
};
program
  .command('all', { isDefault: true })
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
    const applied = await migrateDatabase(config().DATABASE_URL);
    process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'database is up to date\n');
  });

const db = program.command('db').description('schema maintenance for Parley developers');
db.command('migration-create')
  .description('generate a migration from the entities (MikroORM) and update the snapshot')
  .action(async () => {
    const file = await createMigration(config().DATABASE_URL);
    process.stdout.write(
      file ? `created migrations/${file}\n` : 'entities and schema agree; nothing to generate\n',
    );
  });
db.command('migration-check')
  .description('exit 1 when the entities and the migrations disagree')
  .action(async () => {
    const url = config().DATABASE_URL;
    await migrateDatabase(url);
    const pending = await pendingSchemaChanges(url);
    if (pending.length > 0) {
      process.stderr.write(`entities and migrations disagree:\n${pending.join('\n')}\n`);
      process.exit(1);
    }
    process.stdout.write('entities and migrations agree\n');
  });

const openDatabase = async () => {
  const c = config();
  await migrateDatabase(c.DATABASE_URL);
  const orm = await createOrm({ databaseUrl: c.DATABASE_URL, poolMax: 2 });
  return { orm, close: () => orm.close(true) };
};
registerSetupCommands(program, openDatabase);
registerAiCommands(program, openDatabase, config);
registerConversationCommands(program, openDatabase);
registerBroadcastCommands(program, openDatabase, config);

registerTeamsCommands(program, config);

await program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
