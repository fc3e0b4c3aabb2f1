import type { DashboardTiles } from '../queries/dashboard-tiles.ts';

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
  | { kind: 'dashboard'; tiles: DashboardTiles };

export const message = (text: string): CommandResult => ({ kind: 'message', text });
