import { describe, expect, it } from 'vitest';
import { commandNames, helpText } from '../../src/commands/help-text.ts';
import {
  isParseError,
  type ParsedCommand,
  type ParseError,
  parseCommand,
  parseErrorText,
} from '../../src/commands/parse-command.ts';

const parsed = (text: string, opts?: Parameters<typeof parseCommand>[1]): ParsedCommand => {
  const result = parseCommand(text, opts);
  if (isParseError(result)) throw new Error(`expected "${text}" to parse, got: ${result.message}`);
  return result;
};

const refused = (text: string): ParseError => {
  const result = parseCommand(text);
  if (!isParseError(result))
    throw new Error(`expected "${text}" to be refused, got ${JSON.stringify(result)}`);
  return result;
};

describe('parseCommand: conversation commands (R30)', () => {
  it('R30: reply and note take an optional #number and keep the text as written, line breaks included', () => {
    expect(parsed('reply #1042 Your order shipped.\nThanks!')).toEqual({
      kind: 'reply',
      conversationNumber: 1042,
      text: 'Your order shipped.\nThanks!',
    });
    expect(parsed('reply  see #7 for details')).toEqual({ kind: 'reply', text: 'see #7 for details' });
    expect(parsed('NOTE #12 customer is "very" upset')).toEqual({
      kind: 'note',
      conversationNumber: 12,
      text: 'customer is "very" upset',
    });
    expect(refused('reply #1042').message).toContain('Write the reply');
    expect(refused('note').usage).toBe('`/parley note [#1042] text`');
  });

  it('R30: free text goes through the surface’s plain-text conversion; mentions and numbers do not', () => {
    const plainText = (raw: string) => raw.replace(/&amp;/g, '&');
    expect(parsed('reply #3 Tom &amp; Jerry', { plainText })).toEqual({
      kind: 'reply',
      conversationNumber: 3,
      text: 'Tom & Jerry',
    });
    expect(parsed('search Tom &amp; Jerry', { plainText })).toEqual({ kind: 'search', words: 'Tom & Jerry' });
  });

  it('R7: reply and new accept a WhatsApp template with quoted parameters, language optional', () => {
    expect(parsed('reply #5 template:order_update:en_US "Dana Smith" 1042')).toEqual({
      kind: 'reply',
      conversationNumber: 5,
      template: { name: 'order_update', language: 'en_US', parameters: ['Dana Smith', '1042'] },
    });
    expect(parsed('reply template:welcome')).toEqual({
      kind: 'reply',
      template: { name: 'welcome', parameters: [] },
    });
    expect(refused('reply template:a:b:c').message).toContain('template:name:language');
  });

  it('R15: assign takes one or several mentions in both escaped forms, #number anywhere, or me', () => {
    expect(parsed('assign #1042 <@U01ALICE> <@U02BOB|bob>')).toEqual({
      kind: 'assign',
      conversationNumber: 1042,
      me: false,
      userIds: ['U01ALICE', 'U02BOB'],
    });
    expect(parsed('assign <@U01ALICE|Alice Smith> #9 me')).toEqual({
      kind: 'assign',
      conversationNumber: 9,
      me: true,
      userIds: ['U01ALICE'],
    });
    expect(parsed('Assign ME')).toEqual({ kind: 'assign', me: true, userIds: [] });
    // Teams ids (converted to the same escaped form by the Teams surface) carry colons.
    expect(parsed('assign <@29:1abcXYZ|Ada>')).toMatchObject({ userIds: ['29:1abcXYZ'] });
  });

  it('R15: assign refuses no one, a plain @name and a second conversation, with its usage', () => {
    const none = refused('assign #4');
    expect(none.message).toContain('Say who to assign');
    expect(none.usage).toBe('`/parley assign [#1042] @user [@user…]`');
    expect(refused('assign @alice').message).toContain('`@alice` is not a mention');
    expect(refused('assign #1 #2 <@U1>').message).toContain('one conversation');
    expect(refused('assign <@U1> later').message).toContain('`later` is not understood');
  });

  it('R15: unassign alone, me, mentions or all', () => {
    expect(parsed('unassign')).toEqual({ kind: 'unassign', who: 'default' });
    expect(parsed('unassign #8 all')).toEqual({ kind: 'unassign', conversationNumber: 8, who: 'all' });
    expect(parsed('unassign me <@U2>')).toEqual({ kind: 'unassign', who: { me: true, userIds: ['U2'] } });
    expect(refused('unassign all <@U2>').message).toContain('`all` alone');
  });

  it('R17: visibility restricts to mentions or lifts with everyone', () => {
    expect(parsed('visibility #77 <@U1> <@U2|b>')).toEqual({
      kind: 'visibility',
      conversationNumber: 77,
      visibleTo: { userIds: ['U1', 'U2'] },
    });
    expect(parsed('visibility everyone')).toEqual({ kind: 'visibility', visibleTo: 'everyone' });
    expect(refused('visibility').message).toContain('Mention who may see');
    expect(refused('visibility everyone <@U1>').message).toContain('`everyone` alone');
  });

  it('R20/R23/R12: close, reopen and read take only an optional #number', () => {
    expect(parsed('close')).toEqual({ kind: 'close' });
    expect(parsed('close #1042')).toEqual({ kind: 'close', conversationNumber: 1042 });
    expect(parsed('reopen #3')).toEqual({ kind: 'reopen', conversationNumber: 3 });
    expect(parsed('read')).toEqual({ kind: 'read' });
    expect(parsed('unread #7')).toEqual({ kind: 'unread', conversationNumber: 7 });
    const extra = refused('close now');
    expect(extra.usage).toBe('`/parley close [#1042]`');
  });

  it('R24: delete needs confirm, because it cannot be undone', () => {
    expect(parsed('delete #1042 confirm')).toEqual({ kind: 'delete', conversationNumber: 1042 });
    expect(parsed('delete confirm #1042')).toEqual({ kind: 'delete', conversationNumber: 1042 });
    const refusal = refused('delete #1042');
    expect(refusal.message).toContain('cannot be undone');
    expect(refusal.message).toContain('`/parley delete #1042 confirm`');
  });

  it('R14, R36: ai on hands over to the AI agent, ai off takes it back, ai alone shows its state', () => {
    expect(parsed('ai #5 on')).toEqual({ kind: 'ai', conversationNumber: 5, on: true });
    expect(parsed('ai off')).toEqual({ kind: 'ai', on: false });
    expect(parsed('ai #5')).toEqual({ kind: 'ai', conversationNumber: 5 });
    expect(parsed('ai')).toEqual({ kind: 'ai' });
    expect(refused('ai on off').usage).toBe('`/parley ai [#1042] [on|off]`');
    expect(refused('ai maybe').message).toContain('`maybe` is not understood');
  });
});

describe('parseCommand: new conversations, lists and help (R30)', () => {
  it('R7: new takes a phone number, an email or a quoted contact name, then the channel and the text', () => {
    expect(parsed('new +15551234567 whatsapp Hello there')).toEqual({
      kind: 'new',
      contact: { by: 'phone', phone: '+15551234567' },
      channel: 'whatsapp',
      text: 'Hello there',
    });
    expect(parsed('new dana@example.com webchat Hi')).toMatchObject({
      contact: { by: 'email', email: 'dana@example.com' },
      channel: 'webchat',
    });
    expect(parsed('new "Dana Customer" sms Hi')).toMatchObject({
      contact: { by: 'name', name: 'Dana Customer' },
    });
    expect(parsed('new Dana sms Hi')).toMatchObject({ contact: { by: 'name', name: 'Dana' } });
  });

  it('R7: new understands the forms Slack links phone numbers and emails into', () => {
    expect(parsed('new <tel:+15551234567|+1 555 123 4567> SMS Your repair is ready')).toEqual({
      kind: 'new',
      contact: { by: 'phone', phone: '+15551234567' },
      channel: 'sms',
      text: 'Your repair is ready',
    });
    expect(parsed('new <mailto:Dana@Example.com|Dana@Example.com> webchat Hi')).toEqual({
      kind: 'new',
      contact: { by: 'email', email: 'dana@example.com' },
      channel: 'webchat',
      text: 'Hi',
    });
    expect(parsed('new “Dana Customer” whatsapp group:"Customer care" template:welcome:en Dana')).toEqual({
      kind: 'new',
      contact: { by: 'name', name: 'Dana Customer' },
      channel: 'whatsapp',
      groupName: 'Customer care',
      template: { name: 'welcome', language: 'en', parameters: ['Dana'] },
    });
  });

  it('R7: new refuses an unknown channel and a missing message', () => {
    expect(refused('new +15551234567 telegram hi').message).toContain('whatsapp, sms or webchat');
    expect(refused('new +15551234567 sms').message).toContain('Write the first message');
    expect(refused('new').usage).toContain('/parley new');
  });

  it('R9/R10/R26: search, inbox views and dashboard', () => {
    expect(parsed('search order 1042')).toEqual({ kind: 'search', words: 'order 1042' });
    expect(refused('search').message).toContain('what to search');
    expect(parsed('inbox')).toEqual({ kind: 'inbox', view: 'mine' });
    expect(parsed('inbox TEAM')).toEqual({ kind: 'inbox', view: 'team' });
    expect(parsed('inbox closed')).toEqual({ kind: 'inbox', view: 'closed' });
    expect(refused('inbox everything').usage).toBe('`/parley inbox [mine|team|closed]`');
    expect(parsed('dashboard')).toEqual({ kind: 'dashboard' });
  });

  it('R33: link takes a mention and an email (in either order, linked or not), or nothing', () => {
    expect(parsed('link <@U0BOB|bob> <mailto:bob@acme.test|bob@acme.test>')).toEqual({
      kind: 'link',
      target: { userId: 'U0BOB', email: 'bob@acme.test' },
    });
    expect(parsed('link Bob@Acme.test <@U0BOB>')).toEqual({
      kind: 'link',
      target: { userId: 'U0BOB', email: 'bob@acme.test' },
    });
    expect(parsed('link')).toEqual({ kind: 'link' });
    expect(refused('link <@U0BOB>').message).toContain('email');
  });

  it('R30: empty text and help give help; an unknown command says so and points to help', () => {
    expect(parsed('')).toEqual({ kind: 'help' });
    expect(parsed('   ')).toEqual({ kind: 'help' });
    expect(parsed('help assign')).toEqual({ kind: 'help', topic: 'assign' });
    const unknown = refused('frobnicate #3');
    expect(unknown.message).toContain('`frobnicate` is not a Parley command');
    expect(unknown.usage).toBeNull();
    expect(parseErrorText(refused('close now'))).toBe(
      '`now` is not understood here.\nUsage: `/parley close [#1042]`',
    );
  });

  it('R30: the help lists every command and the ! form used in threads', () => {
    const help = helpText();
    for (const name of commandNames) expect(help).toContain(`/parley ${name}`);
    expect(help).toContain('`!close`');
    expect(help).toContain('`!note text`');
  });
});
