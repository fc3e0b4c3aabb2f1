import { isChannelName } from '../domain/channels.ts';
import {
  allTokens,
  conversationNumberOf,
  emailOf,
  mentionOf,
  nextToken,
  phoneOf,
  type Token,
} from './command-tokens.ts';
import { type CommandName, isCommandName, usageOf } from './help-text.ts';
import { parseDm } from './parse-dm-command.ts';
import { formCommandParsers } from './parse-payment-commands.ts';
import { parseSaved } from './parse-saved-command.ts';
import {
  type ContactArg,
  isParseError,
  type ParsedCommand,
  type ParseError,
  type ParseOptions,
  type TemplateArg,
} from './parsed-command.ts';

/**
 * R30: the one grammar of chat commands, shared by Slack (`/parley …`, `!…` in a thread) and
 * Teams. A surface hands over the text after `/parley ` or `!`; mentions must already be in the
 * escaped form `<@U123>` / `<@U123|name>`. Parsing touches no database: the runner resolves
 * `#1042`, mentions and contacts for the acting user.
 */

export type { ContactArg, ParsedCommand, ParseError, ParseOptions, TemplateArg } from './parsed-command.ts';
export { isParseError, parseErrorText } from './parsed-command.ts';

const fail = (name: CommandName | null, message: string): ParseError => ({
  kind: 'error',
  message,
  usage: name ? usageOf(name) : null,
});

interface Source {
  name: CommandName;
  text: string;
  /** Where the arguments start. */
  pos: number;
  plain: (raw: string) => string;
}

export function parseCommand(text: string, opts: ParseOptions = {}): ParsedCommand | ParseError {
  const first = nextToken(text, 0);
  if (!first) return { kind: 'help' };
  const name = first.text.toLowerCase();
  if (first.quoted || !isCommandName(name)) {
    return fail(null, `\`${first.text}\` is not a Parley command. Type \`/parley help\` to see them all.`);
  }
  const src: Source = { name, text, pos: first.end, plain: opts.plainText ?? ((raw) => raw) };
  return parsers[name](src);
}

const parsers: Record<CommandName, (src: Source) => ParsedCommand | ParseError> = {
  reply: parseReply,
  saved: (src) => parseSaved(src.text, src.pos, src.plain),
  note: (src) => {
    const { number, rest } = leadingNumber(src);
    const text = src.plain(rest).trim();
    if (!text) return fail('note', 'Write the note after the command.');
    return withNumber({ kind: 'note', text }, number);
  },
  assign: (src) =>
    withArgs(src, ['me'], (a) => {
      const me = a.words.includes('me');
      if (!me && a.mentions.length === 0) return fail('assign', 'Say who to assign: mention them, or `me`.');
      return { kind: 'assign', me, userIds: a.mentions };
    }),
  unassign: (src) =>
    withArgs(src, ['me', 'all', 'everyone', 'everybody'], (a) => {
      const all = a.words.some((w) => w !== 'me');
      if (all && (a.mentions.length > 0 || a.words.includes('me')))
        return fail('unassign', 'Use `all` alone, or name who to unassign.');
      if (all) return { kind: 'unassign', who: 'all' };
      if (a.words.length === 0 && a.mentions.length === 0) return { kind: 'unassign', who: 'default' };
      return { kind: 'unassign', who: { me: a.words.includes('me'), userIds: a.mentions } };
    }),
  visibility: (src) =>
    withArgs(src, ['everyone', 'all', 'me'], (a) => {
      const everyone = a.words.some((w) => w !== 'me');
      if (everyone && (a.mentions.length > 0 || a.words.includes('me')))
        return fail('visibility', 'Use `everyone` alone, or mention who may see the conversation.');
      if (everyone) return { kind: 'visibility', visibleTo: 'everyone' };
      if (a.words.length === 0 && a.mentions.length === 0)
        return fail('visibility', 'Mention who may see the conversation, or say `everyone`.');
      return { kind: 'visibility', visibleTo: { userIds: a.mentions } };
    }),
  close: (src) => bare(src, 'close'),
  reopen: (src) => bare(src, 'reopen'),
  read: (src) => bare(src, 'read'),
  unread: (src) => bare(src, 'unread'),
  delete: (src) =>
    withArgs(src, ['confirm'], (a) => {
      if (a.mentions.length > 0) return fail('delete', 'Delete takes no mentions.');
      if (a.words.includes('confirm')) return { kind: 'delete' };
      const named = a.number ? `#${a.number} ` : '';
      return fail(
        'delete',
        `Deleting removes the conversation with all its messages, notes and attachments, and cannot be undone. To go ahead, run \`/parley delete ${named}confirm\`.`,
      );
    }),
  new: parseNew,
  search: (src) => {
    const words = src.plain(src.text.slice(src.pos)).trim();
    if (!words) return fail('search', 'Say what to search for.');
    return { kind: 'search', words };
  },
  inbox: (src) => {
    const words = allTokens(src.text, src.pos).map((t) => t.text.toLowerCase());
    const view = words.length === 0 ? 'mine' : words.length === 1 ? words[0] : null;
    if (view === 'mine' || view === 'my' || view === 'me') return { kind: 'inbox', view: 'mine' };
    if (view === 'team' || view === 'closed') return { kind: 'inbox', view };
    return fail('inbox', 'Choose `mine`, `team` or `closed`.');
  },
  dashboard: (src) =>
    allTokens(src.text, src.pos).length > 0
      ? fail('dashboard', 'The dashboard takes no arguments.')
      : { kind: 'dashboard' },
  ai: (src) =>
    withArgs(src, ['on', 'off'], (a) => {
      if (a.words.length > 1 || a.mentions.length > 0)
        return fail('ai', 'Say `on` to hand the conversation to the AI agent, `off` to take it back.');
      return a.words.length === 0 ? { kind: 'ai' } : { kind: 'ai', on: a.words[0] === 'on' };
    }),
  link: parseLink,
  merge: (src) => {
    const tokens = allTokens(src.text, src.pos);
    if (tokens.length !== 3 || tokens[1]!.quoted || tokens[1]!.text.toLowerCase() !== 'into')
      return fail('merge', 'Name the contact to merge, `into`, then the contact to keep.');
    return { kind: 'merge', from: contactOf(src, tokens[0]!), into: contactOf(src, tokens[2]!) };
  },
  dm: (src) => parseDm(src.text, src.pos, src.plain),
  ...formCommandParsers,
  help: (src) => {
    const topic = nextToken(src.text, src.pos)?.text.toLowerCase().replace(/^[/!]/, '');
    return topic && isCommandName(topic) ? { kind: 'help', topic } : { kind: 'help' };
  },
};

function parseReply(src: Source): ParsedCommand | ParseError {
  const { number, rest, restPos } = leadingNumber(src);
  const head = nextToken(src.text, restPos);
  if (head && isTemplateWord(head)) {
    const template = templateOf(src, head);
    return isParseError(template) ? template : withNumber({ kind: 'reply', template }, number);
  }
  const text = src.plain(rest).trim();
  if (!text) return fail('reply', 'Write the reply after the command.');
  return withNumber({ kind: 'reply', text }, number);
}

function parseNew(src: Source): ParsedCommand | ParseError {
  const contactToken = nextToken(src.text, src.pos);
  const channelToken = contactToken && nextToken(src.text, contactToken.end);
  if (!contactToken || !channelToken) return fail('new', 'Give the contact, the channel and the message.');
  const contact = contactOf(src, contactToken);
  const channel = channelToken.text.toLowerCase();
  if (!isChannelName(channel))
    return fail('new', `\`${channelToken.text}\` is not a channel. Use whatsapp, sms or webchat.`);

  let pos = channelToken.end;
  let groupName: string | undefined;
  const groupToken = nextToken(src.text, pos);
  if (groupToken && /^group:/i.test(groupToken.text)) {
    groupName = src.plain(groupToken.text.slice('group:'.length)).trim();
    if (!groupName) return fail('new', 'Name the group after `group:`, e.g. `group:Support`.');
    pos = groupToken.end;
  }
  const base = { kind: 'new' as const, contact, channel, ...(groupName ? { groupName } : {}) };
  const head = nextToken(src.text, pos);
  if (head && isTemplateWord(head)) {
    const template = templateOf(src, head);
    return isParseError(template) ? template : { ...base, template };
  }
  const text = src.plain(src.text.slice(pos)).trim();
  if (!text) return fail('new', 'Write the first message after the channel.');
  return { ...base, text };
}

function contactOf(src: Source, token: Token): ContactArg {
  const phone = token.quoted ? null : phoneOf(token.text);
  if (phone) return { by: 'phone', phone };
  const email = token.quoted ? null : emailOf(token.text);
  if (email) return { by: 'email', email };
  return { by: 'name', name: src.plain(token.text).trim() };
}

function parseLink(src: Source): ParsedCommand | ParseError {
  const tokens = allTokens(src.text, src.pos);
  if (tokens.length === 0) return { kind: 'link' };
  const userIds = tokens.flatMap((t) => mentionOf(t) ?? []);
  const emails = tokens.flatMap((t) => (mentionOf(t) ? [] : (emailOf(t.text) ?? [])));
  if (tokens.length !== 2 || userIds.length !== 1 || emails.length !== 1) {
    return fail('link', 'Mention the user to link and give the email of their Parley user.');
  }
  return { kind: 'link', target: { userId: userIds[0]!, email: emails[0]! } };
}

const isTemplateWord = (t: Token) => !t.quoted && /^template:/i.test(t.text);

/** `template:name[:lang]` followed by its parameters (quote a parameter with spaces). */
function templateOf(src: Source, head: Token): TemplateArg | ParseError {
  const [name = '', language = '', ...extra] = head.text.slice('template:'.length).split(':');
  if (!name || extra.length > 0 || (language !== '' && language.length < 2)) {
    return fail(src.name, 'Write the template as `template:name` or `template:name:language`.');
  }
  const parameters = allTokens(src.text, head.end).map((t) => src.plain(t.text));
  return { name, ...(language ? { language } : {}), parameters };
}

/** An optional `#1042` right after the command name, and the text after it. */
function leadingNumber(src: Source): { number: number | null; rest: string; restPos: number } {
  const first = nextToken(src.text, src.pos);
  const number = first ? conversationNumberOf(first) : null;
  const restPos = number && first ? first.end : src.pos;
  return { number, rest: src.text.slice(restPos), restPos };
}

function withNumber<C extends ParsedCommand>(command: C, number: number | null | undefined): C {
  return number ? { ...command, conversationNumber: number } : command;
}

interface Args {
  number: number | null;
  mentions: string[];
  /** Allowed keywords, lower-case. */
  words: string[];
}

/**
 * Commands made of `#1042` (anywhere), mentions and keywords. Anything else is refused, with a
 * hint when it looks like a mention Slack did not turn into one.
 */
function withArgs(
  src: Source,
  keywords: readonly string[],
  build: (args: Args) => ParsedCommand | ParseError,
): ParsedCommand | ParseError {
  const args: Args = { number: null, mentions: [], words: [] };
  for (const token of allTokens(src.text, src.pos)) {
    const number = conversationNumberOf(token);
    const mention = mentionOf(token);
    const word = token.text.toLowerCase();
    if (number) {
      if (args.number && args.number !== number) return fail(src.name, 'Name one conversation at a time.');
      args.number = number;
    } else if (mention) {
      if (!args.mentions.includes(mention)) args.mentions.push(mention);
    } else if (!token.quoted && keywords.includes(word)) {
      if (!args.words.includes(word)) args.words.push(word);
    } else if (token.text.startsWith('@')) {
      return fail(
        src.name,
        `\`${token.text}\` is not a mention. Pick the person from the @ suggestions so it becomes a mention.`,
      );
    } else {
      return fail(src.name, `\`${token.text}\` is not understood here.`);
    }
  }
  const built = build(args);
  return isParseError(built) ? built : withNumber(built, args.number);
}

function bare(src: Source, kind: 'close' | 'reopen' | 'read' | 'unread'): ParsedCommand | ParseError {
  return withArgs(src, [], () => ({ kind }) as ParsedCommand);
}
