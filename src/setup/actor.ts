import type { EntityManager } from '@mikro-orm/postgresql';
import type { Account } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { audit } from '../use-cases/timeline.ts';

/** Who changes workspace setup: the holder of the admin token (API) or of the database (CLI). */
export type SetupActor = Extract<Actor, { kind: 'system' }>;
export const adminApiActor: SetupActor = { kind: 'system', reason: 'admin-api' };
export const cliActor: SetupActor = { kind: 'system', reason: 'cli' };

/** Records a setup change in the audit trail; `via` keeps which door it came through. */
export function auditSetup(
  tx: EntityManager,
  account: Account,
  actor: SetupActor,
  action: string,
  data: Record<string, unknown>,
): void {
  audit(tx, account, actor, action, null, { ...data, via: actor.reason ?? 'system' }, new Date());
}
