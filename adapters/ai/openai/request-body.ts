import type {
  FunctionTool,
  ResponseCreateParamsNonStreaming,
  ResponseInputItem,
} from 'openai/resources/responses/responses';
import type { AiContextEntry, AiRequest } from '../../../src/ports/ai-model.ts';

export const HANDOFF_TOOL_NAME = 'hand_off_to_human';

/**
 * The model's only tool (R36). Strict mode makes the API hold the model to this schema, so the
 * arguments parse as { reason, summary } (the answer mapping still checks: gateways may not be strict).
 */
export const handoffTool: FunctionTool = {
  type: 'function',
  name: HANDOFF_TOOL_NAME,
  description:
    'Hand the conversation to a human colleague. Use it when the customer asks for a person, when you cannot help, or when your rules say so.',
  strict: true,
  parameters: {
    type: 'object',
    properties: {
      reason: {
        type: 'string',
        description: 'Why a person should take over, in one short sentence; shown to the team.',
      },
      summary: {
        type: 'string',
        description:
          'A private note for the colleague: what the customer wants and what has been said so far. The customer never sees it.',
      },
    },
    required: ['reason', 'summary'],
    additionalProperties: false,
  },
};

/**
 * One line of the conversation as a message item. The API takes the customer's words as the
 * user's `input_text` and earlier answers (a person's or the AI's) as the assistant's
 * `output_text`: it refuses `input_text` in an assistant message. The SDK's input types only
 * spell out that assistant item with the `id` and `status` of a stored output, which an answer
 * Parley kept does not have, hence the cast.
 */
export function messageItem(entry: AiContextEntry): ResponseInputItem {
  if (entry.role === 'customer')
    return { type: 'message', role: 'user', content: [{ type: 'input_text', text: entry.text }] };
  return {
    type: 'message',
    role: 'assistant',
    content: [{ type: 'output_text', text: entry.text, annotations: [] }],
  } as unknown as ResponseInputItem;
}

/** The Responses API request for one answer. Nothing is stored at OpenAI (`store: false`). */
export function responsesBody(request: AiRequest): ResponseCreateParamsNonStreaming {
  return {
    model: request.model,
    instructions: request.instructions,
    input: request.conversation.map(messageItem),
    max_output_tokens: request.maxOutputTokens,
    store: false,
    tools: [handoffTool],
    tool_choice: 'auto',
    parallel_tool_calls: false,
  };
}
