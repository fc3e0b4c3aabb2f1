import { ForeignKeyConstraintViolationException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { AppError } from '../domain/errors.ts';

/**
 * Setup functions check uniqueness first to give a precise message; this catches the race where
 * two admins write at once, so the loser still gets a 409 instead of a 500.
 */
export async function refuseOnConstraint<T>(fn: () => Promise<T>, conflictMessage: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (
      e instanceof UniqueConstraintViolationException ||
      e instanceof ForeignKeyConstraintViolationException
    ) {
      throw new AppError('conflict', conflictMessage);
    }
    throw e;
  }
}
