import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * A piece of SQL and its parameters. Built only with the `sql` tag below: every interpolated
 * value becomes a `?` placeholder (escaped by the driver), nested fragments are spliced with their
 * own parameters, so user input never becomes SQL text.
 */
export interface Sql {
  readonly text: string;
  readonly params: readonly unknown[];
}

const isSql = (v: unknown): v is Sql =>
  typeof v === 'object' && v !== null && 'text' in v && 'params' in v && Object.keys(v).length === 2;

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  let text = '';
  const params: unknown[] = [];
  strings.forEach((part, i) => {
    // A literal `?` would shift every placeholder after it (the driver numbers them in order).
    if (part.includes('?')) throw new Error('sql: literal "?" in a query template');
    text += part;
    if (i >= values.length) return;
    const value = values[i];
    if (isSql(value)) {
      text += value.text;
      params.push(...value.params);
    } else {
      if (Array.isArray(value) && value.length === 0) throw new Error('sql: empty list parameter');
      text += '?';
      params.push(value);
    }
  });
  return { text, params };
}

/** Joins conditions with `and` / `or`; an empty list gives `empty`. */
export function join(parts: readonly Sql[], separator: 'and' | 'or', empty = 'true'): Sql {
  if (parts.length === 0) return { text: empty, params: [] };
  return {
    text: parts.map((p) => `(${p.text})`).join(` ${separator} `),
    params: parts.flatMap((p) => p.params),
  };
}

/** Runs a read query in the EntityManager's current transaction, if any. */
export function rows<T>(em: EntityManager, query: Sql): Promise<T[]> {
  return em.execute<T[]>(query.text, [...query.params]);
}

export async function one<T>(em: EntityManager, query: Sql): Promise<T | undefined> {
  return (await rows<T>(em, query))[0];
}
