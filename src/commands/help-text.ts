import { type FormCommandName, formCommandUsages } from './form-command-help.ts';

/**
 * R30: the usage line of every chat command, shown by `help` and in the answer to a command typed
 * wrong. Slack spells them `/parley …`; inside a conversation's thread the same commands work as
 * `!close`, `!note text`…, with the conversation implied.
 */

export const commandNames = [
  'reply',
  'saved',
  'note',
  'assign',
  'unassign',
  'visibility',
  'close',
  'reopen',
  'delete',
  'new',
  'search',
  'inbox',
  'dashboard',
  'read',
  'unread',
  'ai',
  'link',
  'merge',
  'dm',
  // R4, R8, R38: commands that open a form, and an admin's manual invoice changes.
  'invoice',
  'checkout',
  'paid',
  'void',
  'paylink',
  'broadcast',
  'help',
] as const;

export type CommandName = (typeof commandNames)[number];

export const isCommandName = (name: string): name is CommandName =>
  (commandNames as readonly string[]).includes(name);

const usages: Record<CommandName, { usage: string; does: string }> = {
  ...(formCommandUsages satisfies Record<FormCommandName, unknown>),
  reply: {
    usage: '/parley reply [#1042] text',
    does: 'reply to the customer (on WhatsApp after 24 hours: `reply template:name[:lang] params…`)',
  },
  saved: {
    usage: '/parley saved [#1042] name | saved add [team] name text | saved remove [team] name | saved',
    does: 'send a saved reply ({contact.firstName}, {agent.name}… filled in); save, remove or list them (`team`: the team’s, admins)',
  },
  note: { usage: '/parley note [#1042] text', does: 'add a private note for the team' },
  assign: {
    usage: '/parley assign [#1042] @user [@user…]',
    does: 'make them the assignees (`assign me` adds you)',
  },
  unassign: {
    usage: '/parley unassign [#1042] [@user…|me|all]',
    does: 'remove assignees (alone: removes you if you are assigned, otherwise everybody)',
  },
  visibility: {
    usage: '/parley visibility [#1042] @user [@user…] | everyone',
    does: 'restrict the conversation to these users (and you), or open it to the group again',
  },
  close: { usage: '/parley close [#1042]', does: 'close the conversation' },
  reopen: { usage: '/parley reopen [#1042]', does: 'reopen a closed conversation' },
  delete: {
    usage: '/parley delete [#1042] confirm',
    does: 'delete the conversation and everything in it (admins; cannot be undone)',
  },
  new: {
    usage: '/parley new +15551234567|email|"Contact name" whatsapp|sms|webchat [group:Name] text',
    does: 'write first to a contact (WhatsApp outside 24 hours: `template:name[:lang] params…` instead of text)',
  },
  search: { usage: '/parley search words', does: 'find conversations by contact name or message text' },
  inbox: { usage: '/parley inbox [mine|team|closed]', does: 'list conversations (default: mine)' },
  dashboard: { usage: '/parley dashboard', does: 'show the dashboard figures' },
  read: { usage: '/parley read [#1042]', does: 'mark the conversation read' },
  unread: { usage: '/parley unread [#1042]', does: 'mark its latest message unread again' },
  ai: {
    usage: '/parley ai [#1042] [on|off]',
    does: "show the AI agent's state in the conversation; on hands it to the AI agent, off takes it back",
  },
  link: {
    usage: '/parley link [@user their@email]',
    does: 'link a chat user to their Parley user (admins); alone: how to get linked',
  },
  dm: {
    usage: '/parley dm @user|me|their@email|"Their Name" [note:] text',
    does: 'an internal message to a teammate (or yourself), in their chat with Parley; reply in its thread to go on. Admins: `dm delete @user [@user] confirm`',
  },
  merge: {
    usage: '/parley merge <phone|email|"Name"> into <phone|email|"Name">',
    does: 'merge the first contact into the second: one person on two channels (admins)',
  },
  help: { usage: '/parley help [command]', does: 'this help' },
};

/** The usage line of one command, as code: `/parley close [#1042]`. */
export const usageOf = (name: CommandName): string => `\`${usages[name].usage}\``;

/** One command's usage with what it does. */
export const describeCommand = (name: CommandName): string => `${usageOf(name)} — ${usages[name].does}`;

/** The compact help: every command on one line. */
export function helpText(): string {
  return [
    '*Parley commands*',
    ...commandNames.map((name) => `• ${describeCommand(name)}`),
    'In a conversation’s thread (or your direct-message thread of a restricted one) the conversation is implied, and the same commands work as messages starting with `!`: `!close`, `!note text`, `!assign @user`. Elsewhere name the conversation by its number, e.g. `#1042`.',
  ].join('\n');
}
