import type { EntityManager } from '@mikro-orm/postgresql';
import { Account } from '../db/entities/index.ts';
import { parseInput } from '../use-cases/input.ts';
import { adminApiActor, auditSetup, type SetupActor } from './actor.ts';
import { type AccountPatch, accountPatchSchema } from './schemas.ts';

const DEFAULT_ACCOUNT_NAME = 'Parley';

async function firstAccount(em: EntityManager): Promise<Account | undefined> {
  const [first] = await em.find(Account, {}, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: 1 });
  return first;
}

/**
 * The single account of this deployment, created on first use. An advisory lock makes two
 * first uses at once create one account, not two.
 */
export async function currentAccount(em: EntityManager, nameIfNew = DEFAULT_ACCOUNT_NAME): Promise<Account> {
  const existing = await firstAccount(em);
  if (existing) return existing;
  const id = await em.transactional(async (tx) => {
    await tx
      .getConnection()
      .execute(
        "select pg_advisory_xact_lock(hashtext('parley:account'))",
        [],
        'run',
        tx.getTransactionContext(),
      );
    const again = await firstAccount(tx);
    if (again) return again.id;
    const created = tx.create(Account, { name: nameIfNew });
    await tx.flush();
    return created.id;
  });
  return em.findOneOrFail(Account, { id });
}

export function updateAccount(
  em: EntityManager,
  input: AccountPatch,
  actor: SetupActor = adminApiActor,
): Promise<Account> {
  const patch = parseInput(accountPatchSchema, input);
  return em.transactional(async (tx) => {
    const account = await currentAccount(tx);
    if (account.name !== patch.name) {
      auditSetup(tx, account, actor, 'account.updated', { from: account.name, to: patch.name });
      account.name = patch.name;
    }
    return account;
  });
}
