import { readFileSync } from 'node:fs';
import { strToU8, zipSync } from 'fflate';
import { AppError } from '../../../src/domain/errors.ts';
import { teamsIcons } from './icons/icons.ts';

/**
 * The Teams app package an admin uploads (`npx parley teams package`): manifest.json, with this
 * deployment's app id, domain and URLs filled in, and the two icons, at the root of a zip.
 */
export interface TeamsPackageInput {
  /** TEAMS_APP_ID: the Teams app id, the bot id and the RSC app id are all the app registration's. */
  appId: string | undefined;
  /** PUBLIC_URL: Teams reaches the bot at `<it>/teams/messages`; its host is the app's valid domain. */
  publicUrl: string;
  /** The app's version (x.y.z): Teams takes an updated package only with a higher one. */
  version: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEMVER = /^\d{1,5}\.\d{1,5}\.\d{1,5}$/;

const template = () =>
  JSON.parse(readFileSync(new URL('./manifest.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** The manifest with its `{{…}}` placeholders filled; refuses settings Teams would refuse. */
export function teamsManifest(input: TeamsPackageInput): Record<string, unknown> {
  if (!input.appId)
    throw new AppError(
      'validation_failed',
      'TEAMS_APP_ID is not set: it is the app id the package is made for.',
    );
  if (!GUID.test(input.appId))
    throw new AppError(
      'validation_failed',
      `TEAMS_APP_ID must be the app registration's Application (client) ID, a GUID; got "${input.appId}".`,
    );
  let url: URL;
  try {
    url = new URL(input.publicUrl);
  } catch {
    throw new AppError('validation_failed', `PUBLIC_URL is not a URL: "${input.publicUrl}".`);
  }
  if (url.protocol !== 'https:')
    throw new AppError(
      'validation_failed',
      `PUBLIC_URL must be an https:// URL Teams can reach (it is ${input.publicUrl}); Teams refuses others.`,
    );
  if (!SEMVER.test(input.version))
    throw new AppError('validation_failed', `The app version must look like 1.2.3; got "${input.version}".`);
  const values: Record<string, string> = {
    TEAMS_APP_ID: input.appId.toLowerCase(),
    DOMAIN: url.hostname,
    PUBLIC_URL: url.origin,
    VERSION: input.version,
  };
  return fill(template(), values) as Record<string, unknown>;
}

function fill(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string')
    return value.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      const v = values[name];
      if (v === undefined) throw new Error(`manifest.json names an unknown placeholder {{${name}}}`);
      return v;
    });
  if (Array.isArray(value)) return value.map((v) => fill(v, values));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values)]));
  return value;
}

/** The zip Teams takes: manifest.json, color.png and outline.png at its root. */
export function buildTeamsPackage(input: TeamsPackageInput): Uint8Array {
  const manifest = teamsManifest(input);
  return zipSync({
    'manifest.json': strToU8(`${JSON.stringify(manifest, null, 2)}\n`),
    ...teamsIcons(),
  });
}
