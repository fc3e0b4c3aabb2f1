import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/commands/parse-command.ts';

/** R25, R30: `dm` in the shared chat grammar. */
describe('parsing `dm`', () => {
  it('R25: names the recipient by mention, `me`, email or quoted name; `note:` makes it a note', () => {
    expect(parseCommand('dm <@U1|bob> Can you take it?')).toEqual({
      kind: 'dm',
      action: 'send',
      to: { by: 'mention', userId: 'U1' },
      text: 'Can you take it?',
      note: false,
    });
    expect(parseCommand('dm me note: call Dana')).toMatchObject({
      to: { by: 'me' },
      text: 'call Dana',
      note: true,
    });
    expect(parseCommand('dm <mailto:Bob@Acme.test|Bob@Acme.test> hi')).toMatchObject({
      to: { by: 'email', email: 'bob@acme.test' },
      text: 'hi',
    });
    expect(parseCommand('dm “Dana Smith” hello there')).toMatchObject({
      to: { by: 'name', name: 'Dana Smith' },
      text: 'hello there',
    });
  });

  it('R25: delete names one or two users and needs `confirm`', () => {
    expect(parseCommand('dm delete <@U1> <@U2> confirm')).toEqual({
      kind: 'dm',
      action: 'delete',
      between: [
        { by: 'mention', userId: 'U1' },
        { by: 'mention', userId: 'U2' },
      ],
    });
    expect(parseCommand('dm delete <@U1>')).toMatchObject({
      kind: 'error',
      message: expect.stringMatching(/confirm/),
    });
    expect(parseCommand('dm delete confirm')).toMatchObject({ kind: 'error' });
    expect(parseCommand('dm delete <@U1> <@U2> <@U3> confirm')).toMatchObject({ kind: 'error' });
  });

  it('R25: refuses what is not a recipient, or no text, with the usage', () => {
    for (const text of ['dm', 'dm <@U1>', 'dm @bob hi', 'dm bob hi', 'dm <@U1> note:   ']) {
      const parsed = parseCommand(text);
      expect(parsed, text).toMatchObject({ kind: 'error', usage: expect.stringContaining('/parley dm') });
    }
  });
});
