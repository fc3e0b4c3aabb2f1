import { describe, expect, it } from 'vitest';
import { allTokens, emailOf, nextToken } from '../../src/commands/command-tokens.ts';
import { isParseError, parseCommand } from '../../src/commands/parse-command.ts';

/**
 * Words of a command are read in time linear in the command, whatever it holds. Each input below
 * is built against the patterns this replaced: `[^\s@<>]+\.[^\s@<>]+$` tried every dot against
 * every ending (n²/2 steps: about 2·10¹⁰ at this size, minutes of CPU), and `indexOf('>')` from
 * every `<` re-read the rest of the command for each one. The assertions are on what is read;
 * the size is what made the old code crawl (a 40,000-character word already took a second).
 */
const N = 200_000;

describe('reading the words of a command (R30) on hostile input', () => {
  it('R30: a 200,000-character word shaped to stall an email pattern is read as no email, and a real one still is', () => {
    expect(emailOf(`a@${'.'.repeat(N)}@`)).toBeNull();
    expect(emailOf(`a@${'a.'.repeat(N / 2)}@`)).toBeNull();
    expect(emailOf(`a@${'a.'.repeat(N / 2)}b`)).toBe(`a@${'a.'.repeat(N / 2)}b`);
    expect(emailOf('Ada@Example.Org')).toBe('ada@example.org');
    for (const notOne of ['a@b', 'a@.b', 'a@b.', '@b.c', 'a@b@c.d', 'a b@c.d', '<a@b.c>'])
      expect(emailOf(notOne)).toBeNull();
    expect(emailOf('a@.b.c')).toBe('a@.b.c'); // a dot inside the domain is enough, as before
  });

  it('R30: a command of 100,000 unclosed `<` is 100,000 words; a `<…>` reference still reads as one word', () => {
    const words = allTokens('< '.repeat(N / 2), 0);
    expect(words).toHaveLength(N / 2);
    expect(words.every((w) => w.text === '<')).toBe(true);
    expect(nextToken('<@U1|Ada Lovelace> rest', 0)).toMatchObject({ text: '<@U1|Ada Lovelace>' });
    // A `<` inside cannot be part of a reference: the word ends where Slack's would.
    expect(nextToken('<a <@U1> x', 0)).toMatchObject({ text: '<a' });
  });

  it('R33: `link` with a hostile address answers that it is not an email', () => {
    const result = parseCommand(`link <@U0BOB> a@${'.'.repeat(N)}@`);
    expect(isParseError(result) && result.message).toMatch(/email/);
  });
});
