import { slackSurfaceModule } from '../adapters/surfaces/slack/index.ts';
import type { Config } from './config.ts';
import type { BuiltSurface, SurfaceAdapterModule, SurfaceDeps } from './ports/adapter-module.ts';
import type { SurfaceRegistry } from './ports/agent-surface.ts';

/**
 * The surface table: which chat platforms this deployment mirrors into. Each module builds itself
 * only when its configuration is present; adding Teams is a new folder and a new row here.
 */
export const surfaceModules: SurfaceAdapterModule[] = [slackSurfaceModule];

export interface Surfaces {
  registry: SurfaceRegistry;
  built: BuiltSurface[];
}

export function buildSurfaces(config: Config, deps: SurfaceDeps, modules = surfaceModules): Surfaces {
  const built = modules.flatMap((m) => {
    const b = m.create(config, deps);
    return b ? [b] : [];
  });
  return { registry: new Map(built.map((b) => [b.surface.name, b.surface])), built };
}
