import type { startFakeGraph, startFakeSlack } from './fake-servers.ts';
import type { seedGroups } from './parley-processes.ts';

/** What each benchmark gets from bench/run.ts: a fresh database, Redis prefix and fake vendors. */
export interface BenchContext {
  databaseUrl: string;
  prefix: string;
  port: number;
  groups: Awaited<ReturnType<typeof seedGroups>>;
  log: (line: string) => void;
  slack: Awaited<ReturnType<typeof startFakeSlack>>;
  graph: Awaited<ReturnType<typeof startFakeGraph>>;
  parleyOptions: () => {
    databaseUrl: string;
    prefix: string;
    port: number;
    slackApiUrl: string;
    graphApiUrl: string;
  };
}
