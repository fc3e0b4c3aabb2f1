/**
 * The AI agent's model (R36), behind one small port: adapters/ai/openai/ implements it with the
 * `openai` SDK's Responses API (OpenAI, Azure OpenAI or any compatible gateway is a base URL).
 * The core never sees the vendor's shapes, and the model's only tool is the handoff: nothing it
 * writes runs as code or as a command.
 */

/** One line of the conversation as the model may read it (built by src/use-cases/ai-context.ts). */
export interface AiContextEntry {
  role: 'customer' | 'agent' | 'ai';
  text: string;
}

export interface AiRequest {
  model: string;
  /** The group's instructions with Parley's own rules around them: the only instructions the model gets. */
  instructions: string;
  /** What the customer and the team said, oldest first: data, never instructions. */
  conversation: AiContextEntry[];
  maxOutputTokens: number;
  /** Abandon the call after this long (it then fails as retryable). */
  timeoutMs: number;
}

export interface AiUsage {
  inputTokens: number;
  outputTokens: number;
}

export type AiAnswer =
  | { kind: 'reply'; text: string; usage: AiUsage }
  /** The model called hand_off_to_human; `text` is what it also said to the customer, if anything. */
  | { kind: 'handoff'; reason: string; summary: string; text: string | null; usage: AiUsage };

/** Why a call failed: worth another try (after `retryAfterMs` when the vendor said so), or not. */
export class AiModelError extends Error {
  readonly retryable: boolean;
  readonly retryAfterMs: number | null;
  constructor(message: string, opts: { retryable: boolean; retryAfterMs?: number | null }) {
    super(message);
    this.name = 'AiModelError';
    this.retryable = opts.retryable;
    this.retryAfterMs = opts.retryAfterMs ?? null;
  }
}

export interface AiModel {
  readonly name: string;
  /** The model's answer; throws AiModelError (nothing else) when it has none. */
  respond(request: AiRequest): Promise<AiAnswer>;
}
