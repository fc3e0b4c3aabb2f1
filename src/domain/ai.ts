/**
 * R14: the AI agent answers every new inbound message where the group has one, and stays silent
 * in a conversation it handed to a human until that conversation is closed.
 */
export type AiState = 'off' | 'active' | 'handed_off';

export interface AiFacts {
  status: 'open' | 'closed' | 'deleted';
  aiState: AiState;
}

export const shouldAiAnswer = (conv: AiFacts): boolean => conv.status === 'open' && conv.aiState === 'active';

/** The state a new conversation starts in: active when the group has an enabled AI agent. */
export const initialAiState = (agent: { enabled: boolean } | null | undefined): AiState =>
  agent?.enabled ? 'active' : 'off';
