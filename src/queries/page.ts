import { z } from 'zod';
import { AppError } from '../domain/errors.ts';
import { type Sql, sql } from './sql.ts';

/** Keyset pagination shared by every list: a position (time, id) and a page size. */
export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
  /** Opaque cursor from the previous page's `nextCursor`. */
  cursor?: string;
  limit?: number;
}

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface Position {
  /** ISO time with microseconds, exactly as Postgres stores it. */
  at: string;
  id: string;
}

const positionSchema = z.object({ at: z.iso.datetime({ offset: true, precision: 6 }), id: z.uuid() });

export const pageSize = (limit: number | undefined): number =>
  Math.min(Math.max(Math.trunc(limit ?? DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE);

export const encodeCursor = (p: Position): string => Buffer.from(JSON.stringify(p)).toString('base64url');

export function decodeCursor(cursor: string | undefined): Position | null {
  if (cursor === undefined || cursor === '') return null;
  try {
    return positionSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new AppError(
      'bad_request',
      'That page link is no longer valid. Open the list again from the start.',
    );
  }
}

/** Rows are fetched with limit + 1: the extra row only says whether another page exists. */
export function toPage<R extends { cursorAt: string; id: string }, T>(
  fetched: R[],
  limit: number,
  map: (row: R) => T,
): Page<T> {
  const pageRows = fetched.slice(0, limit);
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(map),
    nextCursor: fetched.length > limit && last ? encodeCursor({ at: last.cursorAt, id: last.id }) : null,
  };
}

/** Rows strictly after `pos` in (time desc, id desc) order; `at` and `id` are the row's columns. */
export const keysetBefore = (pos: Position | null, at: Sql, id: Sql): Sql =>
  pos === null ? sql`true` : sql`(${at}, ${id}) < (${pos.at}::timestamptz, ${pos.id}::uuid)`;

/** Rows strictly after `pos` in (time asc, id asc) order: oldest-first lists. */
export const keysetAfter = (pos: Position | null, at: Sql, id: Sql): Sql =>
  pos === null ? sql`true` : sql`(${at}, ${id}) > (${pos.at}::timestamptz, ${pos.id}::uuid)`;
