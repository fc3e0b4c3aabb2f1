import { allTokens, emailOf, mentionOf, nextToken, type Token } from './command-tokens.ts';
import { usageOf } from './help-text.ts';
import type { ParseError } from './parsed-command.ts';

/**
 * R25: `dm` in the shared grammar. `dm @user|me|their@email|"Their Name" [note:] text` writes an
 * internal message (a user on another chat platform is named by email or name, as they cannot be
 * mentioned here); `dm delete <who> [<who>] confirm` deletes the internal chat between those two
 * users (one named: between them and you), which only admins may do.
 */

/** Who an internal message is for, as typed; the runner finds the Parley user. */
export type DmTarget =
  | { by: 'me' }
  | { by: 'mention'; userId: string }
  | { by: 'email'; email: string }
  | { by: 'name'; name: string };

export type DmCommand =
  | { kind: 'dm'; action: 'send'; to: DmTarget; text: string; note: boolean }
  | { kind: 'dm'; action: 'delete'; between: DmTarget[] };

const fail = (message: string): ParseError => ({ kind: 'error', message, usage: usageOf('dm') });

const NOTE_PREFIX = /^\s*note:\s*/i;

export function parseDm(text: string, pos: number, plain: (raw: string) => string): DmCommand | ParseError {
  const first = nextToken(text, pos);
  if (!first)
    return fail(
      'Say who the internal message is for (mention them, `me`, their email or "their name"), then write it.',
    );
  if (!first.quoted && first.text.toLowerCase() === 'delete') return parseDelete(text, first.end, plain);
  const to = targetOf(first, plain);
  if ('kind' in to) return to;
  const rest = text.slice(first.end);
  const note = NOTE_PREFIX.test(rest);
  const body = plain(note ? rest.replace(NOTE_PREFIX, '') : rest).trim();
  if (!body) return fail(note ? 'Write the note after `note:`.' : 'Write the message after who it is for.');
  return { kind: 'dm', action: 'send', to, text: body, note };
}

function parseDelete(text: string, pos: number, plain: (raw: string) => string): DmCommand | ParseError {
  const between: DmTarget[] = [];
  let confirmed = false;
  for (const token of allTokens(text, pos)) {
    if (!token.quoted && token.text.toLowerCase() === 'confirm') {
      confirmed = true;
      continue;
    }
    const target = targetOf(token, plain);
    if ('kind' in target) return target;
    between.push(target);
  }
  if (between.length === 0 || between.length > 2)
    return fail('Name the internal chat to delete: one user (their chat with you) or two users.');
  if (!confirmed)
    return fail(
      'Deleting an internal chat removes all its messages for both users and cannot be undone. To go ahead, add `confirm` at the end.',
    );
  return { kind: 'dm', action: 'delete', between };
}

function targetOf(token: Token, plain: (raw: string) => string): DmTarget | ParseError {
  const mention = mentionOf(token);
  if (mention) return { by: 'mention', userId: mention };
  if (!token.quoted && ['me', 'myself'].includes(token.text.toLowerCase())) return { by: 'me' };
  const email = token.quoted ? null : emailOf(token.text);
  if (email) return { by: 'email', email };
  if (token.quoted) {
    const name = plain(token.text).trim();
    if (name) return { by: 'name', name };
  }
  if (token.text.startsWith('@'))
    return fail(
      `\`${token.text}\` is not a mention. Pick the person from the @ suggestions, or write their email or "their name".`,
    );
  return fail(
    `\`${token.text}\` is not a user. Mention them, write \`me\`, their email, or their name in quotes ("Dana Smith").`,
  );
}
