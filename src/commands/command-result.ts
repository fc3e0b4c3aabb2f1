import type { DashboardTiles } from '../queries/dashboard-tiles.ts';
import type { CommandForm } from './command-forms.ts';

/** One conversation in a command's list answer (inbox, search), as plain data a surface draws. */
export interface ConversationLine {
  conversationId: string;
  number: number;
  contactName: string;
  channel: string;
  status: string;
  /** Assignees' names. */
  assignees: string[];
  unrepliedCount: number;
  /** ISO time of the latest message. */
  lastMessageAt: string | null;
  preview: string | null;
}

/** What a command answers the acting user, privately. Rendering is the surface's job. */
export type CommandResult =
  | { kind: 'message'; text: string }
  | { kind: 'list'; title: string; items: ConversationLine[]; empty: string; more: boolean }
  | { kind: 'dashboard'; tiles: DashboardTiles }
  /**
   * A form for the user to fill in (R4, R8): the surface opens it (a Slack modal, a Teams dialog);
   * `text` says how to open it where the surface cannot (a typed `!invoice` in a Slack thread).
   */
  | { kind: 'form'; form: CommandForm; text: string };

export const message = (text: string): CommandResult => ({ kind: 'message', text });
