import type { Response, ResponseFunctionToolCall } from 'openai/resources/responses/responses';
import { type AiAnswer, AiModelError, type AiUsage } from '../../../src/ports/ai-model.ts';
import { HANDOFF_TOOL_NAME } from './request-body.ts';

/** What the handoff says when the model's arguments cannot be read: a person still takes over. */
export const UNREADABLE_HANDOFF = { reason: 'the AI agent asked for a person', summary: '' };

const usageOf = (response: Response): AiUsage => ({
  inputTokens: response.usage?.input_tokens ?? 0,
  outputTokens: response.usage?.output_tokens ?? 0,
});

/** The handoff's arguments, or the fallback when they are not the strict schema's two strings. */
function handoffArguments(call: ResponseFunctionToolCall): { reason: string; summary: string } {
  try {
    const args = JSON.parse(call.arguments) as { reason?: unknown; summary?: unknown };
    const reason = typeof args.reason === 'string' ? args.reason.trim() : '';
    if (!reason) return UNREADABLE_HANDOFF;
    return { reason, summary: typeof args.summary === 'string' ? args.summary.trim() : '' };
  } catch {
    return UNREADABLE_HANDOFF;
  }
}

/**
 * The model's answer from a Responses API response: a call of the handoff tool wins over text
 * said beside it (the text then goes with the handoff); otherwise the message text is the reply.
 * Read from the output items rather than the SDK's `output_text`, which a gateway's answer may lack.
 */
export function answerFrom(response: Response): AiAnswer {
  if (response.status === 'failed')
    throw new AiModelError(`the model failed: ${response.error?.message ?? 'no reason given'}`, {
      retryable: true,
    });
  const texts: string[] = [];
  const refusals: string[] = [];
  let handoff: ResponseFunctionToolCall | undefined;
  for (const item of response.output ?? []) {
    if (item.type === 'function_call' && item.name === HANDOFF_TOOL_NAME) handoff ??= item;
    if (item.type !== 'message') continue;
    for (const part of item.content) {
      if (part.type === 'output_text' && part.text.trim()) texts.push(part.text);
      if (part.type === 'refusal' && part.refusal.trim()) refusals.push(part.refusal);
    }
  }
  const text = texts.join('\n\n').trim() || null;
  const usage = usageOf(response);
  if (handoff) return { kind: 'handoff', ...handoffArguments(handoff), text, usage };
  if (text) return { kind: 'reply', text, usage };
  // The model declined (a safety refusal): a person decides what to tell the customer.
  if (refusals.length)
    return {
      kind: 'handoff',
      reason: 'the AI agent declined to answer',
      summary: refusals.join('\n'),
      text: null,
      usage,
    };
  if (response.status === 'incomplete')
    throw new AiModelError(
      `the model's answer was cut off before any text (${response.incomplete_details?.reason ?? 'no reason given'})`,
      { retryable: false },
    );
  throw new AiModelError('the model gave no answer', { retryable: false });
}
