import type { ChannelName } from '../domain/channels.ts';
import type { CommandName } from './help-text.ts';
import type { DmCommand } from './parse-dm-command.ts';
import type { FormCommand } from './parse-payment-commands.ts';
import type { SavedCommand } from './parse-saved-command.ts';

/** What the chat command grammar (parse-command.ts) produces: a command, or why it is not one. */

export interface TemplateArg {
  name: string;
  /** Omitted: the language configured for that template on the number, when there is only one. */
  language?: string;
  parameters: string[];
}

export type ContactArg =
  | { by: 'phone'; phone: string }
  | { by: 'email'; email: string }
  | { by: 'name'; name: string };

/** `conversationNumber` absent: the conversation of the thread the command was typed in. */
export type ParsedCommand =
  | { kind: 'reply'; conversationNumber?: number; text?: string; template?: TemplateArg }
  | { kind: 'note'; conversationNumber?: number; text: string }
  /** `me` alone adds the user to the assignees; with mentions the list replaces the assignees. */
  | { kind: 'assign'; conversationNumber?: number; me: boolean; userIds: string[] }
  /** `default`: the user if assigned, otherwise everybody. */
  | {
      kind: 'unassign';
      conversationNumber?: number;
      who: 'default' | 'all' | { me: boolean; userIds: string[] };
    }
  | { kind: 'visibility'; conversationNumber?: number; visibleTo: 'everyone' | { userIds: string[] } }
  | { kind: 'close'; conversationNumber?: number }
  | { kind: 'reopen'; conversationNumber?: number }
  | { kind: 'read'; conversationNumber?: number }
  | { kind: 'unread'; conversationNumber?: number }
  /** Only parsed with `confirm`: deleting cannot be undone (R24). */
  | { kind: 'delete'; conversationNumber?: number }
  | {
      kind: 'new';
      contact: ContactArg;
      channel: ChannelName;
      groupName?: string;
      text?: string;
      template?: TemplateArg;
    }
  | { kind: 'search'; words: string }
  | { kind: 'inbox'; view: 'mine' | 'team' | 'closed' }
  | { kind: 'dashboard' }
  /** `on`/`off` hands over or takes back; neither shows the AI agent's state (R36). */
  | { kind: 'ai'; conversationNumber?: number; on?: boolean }
  | { kind: 'link'; target?: { userId: string; email: string } }
  /** R43: the first contact is merged into the second (admins). */
  | { kind: 'merge'; from: ContactArg; into: ContactArg }
  | { kind: 'help'; topic?: CommandName }
  /** R25: an internal message to a user (or oneself), or an admin deleting an internal chat. */
  | DmCommand
  /** R40: saved replies. */
  | SavedCommand
  | FormCommand;

export interface ParseError {
  kind: 'error';
  message: string;
  /** The usage line of the command that was meant; null when no command was recognised. */
  usage: string | null;
}

export interface ParseOptions {
  /** Turns the surface's markup in free text into plain text (Slack: `&amp;`, `<url|label>`…). */
  plainText?: (raw: string) => string;
}

export const isParseError = <T extends object>(p: T | ParseError): p is ParseError =>
  (p as { kind?: unknown }).kind === 'error';

/** The answer to show for a parse error: the reason, then how to write the command. */
export const parseErrorText = (e: ParseError): string =>
  e.usage ? `${e.message}\nUsage: ${e.usage}` : e.message;
