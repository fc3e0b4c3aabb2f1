import { raw, sql } from '@mikro-orm/core';

/**
 * A `name` equal whatever its case, compared as the unique indexes on `lower(name)` compare it
 * (groups, saved replies): spread into a `find` filter.
 */
export const sameName = (name: string) => ({ [sql.lower('name')]: raw('lower(?)', [name]) });
