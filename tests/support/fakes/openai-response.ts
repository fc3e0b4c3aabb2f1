import { randomBytes } from 'node:crypto';

/**
 * The Responses API's `response` object as OpenAI returns it (text, function calls, incomplete
 * answers, refusals, usage): pure, shared by the in-process msw fake (openai.ts) and the
 * benchmark's HTTP fake (bench/fake-openai-server.ts).
 */

/** A request body as sent; tests look into it freely. */
// biome-ignore lint/suspicious/noExplicitAny: request bodies are looked into at any depth by tests
export type ResponsesBody = Record<string, any>;
export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
}

/** What the fake model does with one request. */
export type FakeAnswer =
  | { kind: 'text'; text: string; usage?: FakeUsage }
  | { kind: 'call'; name: string; arguments: string; text?: string; usage?: FakeUsage }
  | { kind: 'incomplete'; text: string; usage?: FakeUsage }
  | { kind: 'refusal'; refusal: string; usage?: FakeUsage }
  | { kind: 'error'; status: number; retryAfter?: number | string; retryAfterMs?: number; message?: string }
  | { kind: 'slow'; ms: number; then?: FakeAnswer }
  | { kind: 'drop' };

const hex = (n: number) => randomBytes(n).toString('hex');
/** About four characters a token, as for English text: deterministic, so tests can count. */
const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));
const inputText = (body: ResponsesBody) =>
  [body.instructions ?? '', ...(Array.isArray(body.input) ? body.input : [body.input ?? ''])]
    .map((i) => (typeof i === 'string' ? i : JSON.stringify(i.content ?? '')))
    .join('\n');

const messageItem = (text: string, status = 'completed') => ({
  id: `msg_${hex(24)}`,
  type: 'message',
  status,
  role: 'assistant',
  content: [{ type: 'output_text', annotations: [], logprobs: [], text }],
});

/** A `response` object as the API returns it, echoing the request's settings. */
export function responseObject(
  body: ResponsesBody,
  answer: Extract<FakeAnswer, { kind: 'text' | 'call' | 'incomplete' | 'refusal' }>,
) {
  const output: unknown[] = [];
  let said = '';
  if (answer.kind === 'refusal') {
    said = answer.refusal;
    output.push({ ...messageItem(''), content: [{ type: 'refusal', refusal: answer.refusal }] });
  } else if (answer.kind === 'call') {
    said = (answer.text ?? '') + answer.arguments;
    if (answer.text) output.push(messageItem(answer.text));
    output.push({
      id: `fc_${hex(24)}`,
      type: 'function_call',
      status: 'completed',
      arguments: answer.arguments,
      call_id: `call_${randomBytes(12).toString('base64url')}`,
      name: answer.name,
    });
  } else {
    said = answer.text;
    if (answer.text)
      output.push(messageItem(answer.text, answer.kind === 'incomplete' ? 'incomplete' : 'completed'));
  }
  const input_tokens = answer.usage?.inputTokens ?? tokens(inputText(body));
  const output_tokens = answer.usage?.outputTokens ?? tokens(said);
  const incomplete = answer.kind === 'incomplete';
  return {
    id: `resp_${hex(24)}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: incomplete ? 'incomplete' : 'completed',
    background: false,
    error: null,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: null,
    model: body.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: null,
    prompt_cache_key: null,
    reasoning: { effort: null, summary: null },
    safety_identifier: null,
    service_tier: 'default',
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_logprobs: 0,
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: {
      input_tokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: input_tokens + output_tokens,
    },
    user: null,
    metadata: {},
  };
}
