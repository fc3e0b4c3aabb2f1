import type { EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from '../db/orm.ts';
import { AppError } from '../domain/errors.ts';

/** Where CLI commands write; tests pass their own to read the output. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Sets the process exit code (a failed command exits 1 without a stack trace). */
  fail: (code: number) => void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  fail: (code) => {
    process.exitCode = code;
  },
};

export type OpenDatabase = () => Promise<{ orm: Orm; close: () => Promise<void> }>;

/**
 * Opens the database for one command, runs it, closes it. A refusal (AppError) prints its
 * message and fails with exit code 1; anything else propagates to the program's handler.
 */
export async function withDatabase(
  open: OpenDatabase,
  io: CliIo,
  fn: (em: EntityManager) => Promise<void>,
): Promise<void> {
  const { orm, close } = await open();
  try {
    await fn(orm.em.fork() as EntityManager);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    io.err(`error: ${e.message}`);
    io.fail(1);
  } finally {
    await close();
  }
}

/** Left-aligned columns separated by two spaces; `-` stands for an empty cell. */
export function table(headers: string[], rows: (string | null | undefined)[][]): string[] {
  const cells = [
    headers,
    ...rows.map((r) => r.map((c) => (c === null || c === undefined || c === '' ? '-' : c))),
  ];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** Commander's collector for a repeatable option (`--group A --group B`). */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `whatsapp:+15551234567` → { channel, address }; `what` names the argument in the refusal. */
export function parseIdentity(text: string, what = '--identity'): { channel: 'sms'; address: string } {
  const at = text.indexOf(':');
  if (at <= 0)
    throw new AppError(
      'validation_failed',
      `${what} ${text}: write it as channel:address, e.g. sms:+15551234567.`,
    );
  return { channel: text.slice(0, at) as 'sms', address: text.slice(at + 1) };
}
