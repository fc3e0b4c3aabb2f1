import { conversationNumberOf, nextToken } from './command-tokens.ts';
import { usageOf } from './help-text.ts';
import type { ParseError } from './parsed-command.ts';

/**
 * R40: `saved` in the shared grammar. `saved` (or `saved list`) lists the saved replies one may
 * send; `saved add [team] <name> <text>` saves one (the team's: admins); `saved remove [team]
 * <name>` removes one; `saved [#1042] <name>` sends it to the customer as one's reply.
 */
export type SavedCommand =
  | { kind: 'saved'; action: 'list' }
  | { kind: 'saved'; action: 'add'; team: boolean; name: string; text: string }
  | { kind: 'saved'; action: 'remove'; team: boolean; name: string }
  | { kind: 'saved'; action: 'send'; name: string; conversationNumber?: number };

const fail = (message: string): ParseError => ({ kind: 'error', message, usage: usageOf('saved') });
const ACTIONS = new Set(['list', 'add', 'remove']);

export function parseSaved(
  text: string,
  pos: number,
  plain: (raw: string) => string,
): SavedCommand | ParseError {
  const first = nextToken(text, pos);
  if (!first) return { kind: 'saved', action: 'list' };
  const word = first.quoted ? null : first.text.toLowerCase();
  if (word === 'list') {
    return nextToken(text, first.end)
      ? fail('`saved list` takes nothing after it.')
      : { kind: 'saved', action: 'list' };
  }
  if (word === 'add' || word === 'remove') {
    let at = nextToken(text, first.end);
    const team = !!at && !at.quoted && at.text.toLowerCase() === 'team';
    if (team && at) at = nextToken(text, at.end);
    if (!at) return fail(`Name the saved reply to ${word}.`);
    if (word === 'remove') {
      if (nextToken(text, at.end)) return fail('`saved remove` takes only the name.');
      return { kind: 'saved', action: 'remove', team, name: at.text };
    }
    const body = plain(text.slice(at.end)).trim();
    if (!body) return fail('Write the saved reply’s text after its name.');
    return { kind: 'saved', action: 'add', team, name: at.text, text: body };
  }
  const number = conversationNumberOf(first);
  const nameToken = number ? nextToken(text, first.end) : first;
  if (!nameToken) return fail('Name the saved reply to send (`saved` alone lists them).');
  if (nextToken(text, nameToken.end))
    return fail('Name one saved reply to send; to save a new one, start with `saved add`.');
  if (!nameToken.quoted && ACTIONS.has(nameToken.text.toLowerCase()))
    return fail(`\`${nameToken.text}\` is an action here; write it first: \`saved ${nameToken.text} …\`.`);
  return number
    ? { kind: 'saved', action: 'send', name: nameToken.text, conversationNumber: number }
    : { kind: 'saved', action: 'send', name: nameToken.text };
}
