import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildTeamsPackage } from '../../adapters/surfaces/teams/package-app.ts';
import type { Config } from '../config.ts';
import { AppError } from '../domain/errors.ts';
import { type CliIo, processIo } from './io.ts';

/** Parley's own version: the Teams app's version by default, so an upgrade can be uploaded over the last. */
const parleyVersion = () =>
  (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;

/**
 * `teams package [--out file] [--app-version x.y.z]`: writes the Teams app package (manifest and
 * icons) for this deployment's TEAMS_APP_ID and PUBLIC_URL, to upload in Teams or its admin center.
 */
export function registerTeamsCommands(program: Command, config: () => Config, io: CliIo = processIo): void {
  const teams = program.command('teams').description('Microsoft Teams setup');
  teams
    .command('package')
    .description('build the Teams app package (manifest.json and icons) to upload')
    .option('-o, --out <file>', 'where to write the zip', 'parley-teams.zip')
    .option('--app-version <x.y.z>', "the app's version (default: Parley's)")
    .action((o: { out: string; appVersion?: string }) => {
      const c = config();
      try {
        const zip = buildTeamsPackage({
          appId: c.TEAMS_APP_ID,
          publicUrl: c.publicUrl,
          version: o.appVersion ?? parleyVersion(),
        });
        writeFileSync(o.out, zip);
        io.out(
          `Wrote ${o.out} for app ${c.TEAMS_APP_ID} at ${c.publicUrl}: upload it in Teams (Apps → Manage your apps → Upload an app) or in the Teams admin center.`,
        );
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        io.err(`error: ${e.message}`);
        io.fail(1);
      }
    });
}
