import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { User } from '../db/entities/index.ts';
import { AppError } from '../domain/errors.ts';
import { currentAccount } from '../setup/account.ts';

/**
 * R33 for the admin API and the CLI: the token (or the database) says who may call, and a named
 * Parley user — by id or by email — is who acts and whose rights and visibility scope every read.
 * A deactivated user can do nothing, as on Slack and Teams.
 */
export async function findActingUser(em: EntityManager, ref: string): Promise<User> {
  const given = ref.trim();
  if (given === '') {
    throw new AppError('validation_failed', 'Name the Parley user you act as: their id or email.', {
      rule: 'R33',
    });
  }
  const byId = z.uuid().safeParse(given).success;
  const user = byId
    ? await em.findOne(User, { id: given })
    : await em.findOne(User, { account: await currentAccount(em), email: given.toLowerCase() });
  if (!user) {
    throw new AppError(
      'validation_failed',
      `There is no Parley user ${given}; name an existing user by id or email (list them with GET /users).`,
      { rule: 'R33' },
    );
  }
  if (!user.active) {
    throw new AppError('forbidden', `The Parley user ${user.email} is deactivated and can do nothing.`, {
      rule: 'R33',
    });
  }
  return user;
}
