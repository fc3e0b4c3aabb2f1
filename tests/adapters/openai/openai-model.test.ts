import { afterEach, describe, expect, it } from 'vitest';
import { createOpenAiModel } from '../../../adapters/ai/openai/openai.model.ts';
import type { AiModelError, AiRequest } from '../../../src/ports/ai-model.ts';
import { OPENAI_KEY, OPENAI_URL, openAiFake } from '../../support/fakes/openai.ts';
import { useMsw } from '../../support/msw.ts';

/** The adapter through the real `openai` SDK, against the Responses API fake. */
const openai = openAiFake();
useMsw(...openai.handlers);
afterEach(() => openai.reset());

const model = createOpenAiModel({ apiKey: OPENAI_KEY, baseURL: OPENAI_URL });

const request = (over: Partial<AiRequest> = {}): AiRequest => ({
  model: 'gpt-4.1-mini',
  instructions: 'You are Ava. Team instructions:\nBe kind.',
  conversation: [
    { role: 'customer', text: 'Hi, my parcel is late' },
    { role: 'ai', text: 'Sorry to hear that! What is the order number?' },
    { role: 'agent', text: 'Ada here, I am looking at it.' },
    { role: 'customer', text: 'It is 4411' },
  ],
  maxOutputTokens: 750,
  timeoutMs: 5_000,
  ...over,
});

/** The AiModelError a call fails with (the test fails when it answers). */
async function failure(call: Promise<unknown>): Promise<AiModelError> {
  const outcome = await call.then(
    (answer) => ({ answer }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a failure, got ${JSON.stringify(outcome.answer)}`);
  expect(outcome.error).toMatchObject({ name: 'AiModelError' });
  return outcome.error as AiModelError;
}

describe('the OpenAI model: what it sends', () => {
  it('sends the instructions, the conversation as user/assistant messages, the strict handoff tool, nothing stored', async () => {
    await model.respond(request());
    expect(openai.requests).toHaveLength(1);
    expect(openai.lastRequest()).toEqual({
      model: 'gpt-4.1-mini',
      instructions: 'You are Ava. Team instructions:\nBe kind.',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi, my parcel is late' }] },
        {
          type: 'message',
          role: 'assistant',
          content: [
            { type: 'output_text', text: 'Sorry to hear that! What is the order number?', annotations: [] },
          ],
        },
        {
          type: 'message',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Ada here, I am looking at it.', annotations: [] }],
        },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'It is 4411' }] },
      ],
      max_output_tokens: 750,
      store: false,
      tools: [
        {
          type: 'function',
          name: 'hand_off_to_human',
          description: expect.stringMatching(/human colleague/),
          strict: true,
          parameters: {
            type: 'object',
            properties: {
              reason: { type: 'string', description: expect.stringMatching(/shown to the team/) },
              summary: { type: 'string', description: expect.stringMatching(/private note/) },
            },
            required: ['reason', 'summary'],
            additionalProperties: false,
          },
        },
      ],
      tool_choice: 'auto',
      parallel_tool_calls: false,
    });
  });

  it('uses the model the request names', async () => {
    await model.respond(request({ model: 'gpt-4.1' }));
    expect(openai.lastRequest().model).toBe('gpt-4.1');
  });
});

describe('the OpenAI model: its answers', () => {
  it('a text answer is a reply, with the tokens used', async () => {
    openai.replyWith('Your parcel 4411 ships tomorrow.', { inputTokens: 321, outputTokens: 12 });
    expect(await model.respond(request())).toEqual({
      kind: 'reply',
      text: 'Your parcel 4411 ships tomorrow.',
      usage: { inputTokens: 321, outputTokens: 12 },
    });
  });

  it('a call of hand_off_to_human is a handoff, with what the model also said', async () => {
    openai.handOff('asks for a refund', 'Order 4411 late; wants money back.', undefined, {
      inputTokens: 40,
      outputTokens: 20,
    });
    expect(await model.respond(request())).toEqual({
      kind: 'handoff',
      reason: 'asks for a refund',
      summary: 'Order 4411 late; wants money back.',
      text: null,
      usage: { inputTokens: 40, outputTokens: 20 },
    });
    openai.handOff('wants a person', 'Asked twice for a human.', 'A colleague will take over shortly.');
    expect(await model.respond(request())).toMatchObject({
      kind: 'handoff',
      reason: 'wants a person',
      summary: 'Asked twice for a human.',
      text: 'A colleague will take over shortly.',
    });
  });

  it.each([
    ['not JSON', '{"reason": "refund'],
    ['no reason', '{"summary": "x"}'],
    ['a reason that is not text', '{"reason": 5, "summary": "x"}'],
  ])(
    'a handoff with unreadable arguments (%s) still hands off, with a reason of its own',
    async (_, args) => {
      openai.callTool('hand_off_to_human', args);
      expect(await model.respond(request())).toMatchObject({
        kind: 'handoff',
        reason: 'the AI agent asked for a person',
        summary: '',
        text: null,
      });
    },
  );

  it('an answer cut at max_output_tokens is a reply with the text so far; with no text, a failure', async () => {
    openai.incomplete('Your parcel ships tomorrow and');
    expect(await model.respond(request())).toMatchObject({
      kind: 'reply',
      text: 'Your parcel ships tomorrow and',
    });
    openai.incomplete('');
    const e = await failure(model.respond(request()));
    expect(e).toMatchObject({
      retryable: false,
      message: expect.stringMatching(/cut off.*max_output_tokens/),
    });
  });

  it('an empty answer is a failure not worth retrying', async () => {
    openai.answer({ kind: 'text', text: '' });
    const e = await failure(model.respond(request()));
    expect(e).toMatchObject({ retryable: false, message: 'the model gave no answer', retryAfterMs: null });
  });

  it('a refusal hands off: a person decides what to tell the customer', async () => {
    openai.refusal("I'm sorry, I can't help with that.");
    expect(await model.respond(request())).toMatchObject({
      kind: 'handoff',
      reason: 'the AI agent declined to answer',
      summary: "I'm sorry, I can't help with that.",
      text: null,
    });
  });
});

describe('the OpenAI model: failures', () => {
  it('429 is retryable after the Retry-After seconds, or retry-after-ms when given', async () => {
    openai.failWith(429, { retryAfter: 7 });
    expect(await failure(model.respond(request()))).toMatchObject({
      retryable: true,
      retryAfterMs: 7_000,
      message: expect.stringMatching(/^OpenAI could not answer now \(429\): Rate limit reached/),
    });
    openai.failWith(429, { retryAfter: 7, retryAfterMs: 250 });
    expect(await failure(model.respond(request()))).toMatchObject({ retryable: true, retryAfterMs: 250 });
    openai.failWith(429, { retryAfter: new Date(Date.now() + 60_000).toUTCString() });
    const dated = await failure(model.respond(request()));
    expect(dated.retryAfterMs).toBeGreaterThan(55_000);
    expect(dated.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it.each([500, 502, 503, 408, 409])(
    '%i is retryable, without a wait when none was asked',
    async (status) => {
      openai.failWith(status);
      expect(await failure(model.respond(request()))).toMatchObject({ retryable: true, retryAfterMs: null });
    },
  );

  it('the SDK tries once: Parley’s job owns the retries', async () => {
    openai.failWith(503, { retryAfter: 1 });
    await failure(model.respond(request()));
    expect(openai.requests).toHaveLength(1);
  });

  it.each([400, 403, 404, 422])('%i is not retryable, with the API’s message', async (status) => {
    openai.failWith(status, { message: 'The model `gpt-x` does not exist' });
    expect(await failure(model.respond(request()))).toMatchObject({
      retryable: false,
      message: `OpenAI refused the request (${status}): The model \`gpt-x\` does not exist`,
    });
  });

  it('a wrong key is not retryable, and the message shows no part of the key', async () => {
    openai.expectRefusal('invalid_api_key');
    const key = 'sk-proj-wrongkey0123456789QRST';
    const wrong = createOpenAiModel({ apiKey: key, baseURL: OPENAI_URL });
    const e = await failure(wrong.respond(request()));
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(
      /^OpenAI refused the request \(401\): Incorrect API key provided: \[redacted\]\./,
    );
    expect(e.message).not.toContain(key);
    expect(e.message).not.toContain('QRST');
    expect(e.message).not.toContain('wrongkey');
  });

  it('no answer within the timeout is retryable', async () => {
    openai.slow(3_000);
    const started = Date.now();
    const e = await failure(model.respond(request({ timeoutMs: 200 })));
    expect(e).toMatchObject({ retryable: true, message: 'the model did not answer within 200 ms' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a dropped connection is retryable', async () => {
    openai.drop();
    expect(await failure(model.respond(request()))).toMatchObject({
      retryable: true,
      message: expect.stringMatching(/^could not reach the model API/),
    });
  });
});
