import type { MessageKind } from './events.ts';

/**
 * R11 as a pure state transition. `awaiting` is how many inbound messages wait for a reply and
 * since when; the conversation row carries it so tiles never count messages.
 */
export interface UnrepliedState {
  count: number;
  oldestAt: Date | null;
}

export interface TimelineEntry {
  kind: MessageKind;
  at: Date;
  /** For AI messages: the AI handed the conversation to a human with this message. */
  aiHandoff?: boolean;
  /** The conversation's AI state when the entry is added. */
  aiHandedOff?: boolean;
}

/** Whether a message of this kind answers the customer's waiting messages (R11). */
export function clearsUnreplied(entry: TimelineEntry): boolean {
  switch (entry.kind) {
    case 'reply':
      return true;
    case 'ai':
      // An AI answer counts, unless it is the handoff itself or comes after a handoff.
      return !entry.aiHandoff && !entry.aiHandedOff;
    default:
      // Auto-responses, notes and system lines never count as replies.
      return false;
  }
}

export function nextUnreplied(state: UnrepliedState, entry: TimelineEntry): UnrepliedState {
  if (entry.kind === 'inbound') {
    return { count: state.count + 1, oldestAt: state.oldestAt ?? entry.at };
  }
  if (clearsUnreplied(entry)) return { count: 0, oldestAt: null };
  return state;
}
