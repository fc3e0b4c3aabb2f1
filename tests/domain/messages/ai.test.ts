import { describe, expect, it } from 'vitest';
import { initialAiState, shouldAiAnswer } from '../../../src/domain/ai.ts';

describe('AI agent', () => {
  it('R14: answers in an open conversation where it is active', () => {
    expect(shouldAiAnswer({ status: 'open', aiState: 'active' })).toBe(true);
  });

  it('R14: stays silent after a handoff, where the group has no agent, and in closed conversations', () => {
    expect(shouldAiAnswer({ status: 'open', aiState: 'handed_off' })).toBe(false);
    expect(shouldAiAnswer({ status: 'open', aiState: 'off' })).toBe(false);
    expect(shouldAiAnswer({ status: 'closed', aiState: 'active' })).toBe(false);
  });

  it('R14: a new conversation starts active only where the group has an enabled agent', () => {
    expect(initialAiState({ enabled: true })).toBe('active');
    expect(initialAiState({ enabled: false })).toBe('off');
    expect(initialAiState(null)).toBe('off');
  });
});
