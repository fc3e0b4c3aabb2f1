import type { Config } from './config.ts';
import type { BuiltSurface, SurfaceAdapterModule, SurfaceDeps } from './ports/adapter-module.ts';
import type { SurfaceRegistry } from './ports/agent-surface.ts';

/**
 * A row of the surface table. Its module (and the vendor SDK behind it) is loaded only when the
 * deployment configures it: a Slack-only Parley never loads the Teams SDK (half a second and
 * express, axios, MSAL… at every start).
 */
export interface SurfaceTableRow {
  name: string;
  configured(config: Config): boolean;
  load(): Promise<SurfaceAdapterModule>;
}

/**
 * The surface table: which chat platforms this deployment mirrors into. Each module builds itself
 * only when its configuration is present; a new platform is a new folder and a new row here.
 */
export const surfaceTable: SurfaceTableRow[] = [
  {
    name: 'slack',
    configured: (c) => Boolean(c.SLACK_BOT_TOKEN && c.SLACK_SIGNING_SECRET),
    load: async () => (await import('../adapters/surfaces/slack/index.ts')).slackSurfaceModule,
  },
  {
    name: 'teams',
    configured: (c) => Boolean(c.TEAMS_APP_ID && c.TEAMS_APP_PASSWORD && c.TEAMS_TENANT_ID),
    load: async () => (await import('../adapters/surfaces/teams/index.ts')).teamsSurfaceModule,
  },
];

export interface Surfaces {
  registry: SurfaceRegistry;
  built: BuiltSurface[];
}

/** Builds the configured surfaces: from the table, or from these modules (a test's own). */
export async function buildSurfaces(
  config: Config,
  deps: SurfaceDeps,
  modules?: SurfaceAdapterModule[],
): Promise<Surfaces> {
  const chosen =
    modules ??
    (await Promise.all(surfaceTable.filter((row) => row.configured(config)).map((row) => row.load())));
  const built = chosen.flatMap((m) => {
    const b = m.create(config, deps);
    return b ? [b] : [];
  });
  return { registry: new Map(built.map((b) => [b.surface.name, b.surface])), built };
}
