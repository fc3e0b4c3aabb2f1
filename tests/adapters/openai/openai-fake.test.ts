import { afterEach, describe, expect, it } from 'vitest';
import { OPENAI_KEY, OPENAI_URL, openAiFake, type ResponsesBody } from '../../support/fakes/openai.ts';
import { useMsw } from '../../support/msw.ts';

/**
 * The OpenAI fake refuses what the Responses API refuses, with its error body, and answers in its
 * shapes: a test passing against it would pass against OpenAI. Each refusal here is declared
 * (expectRefusal), as a test of Parley that provokes one must.
 */
const openai = openAiFake();
useMsw(...openai.handlers);
afterEach(() => openai.reset());

const post = async (body: unknown, key: string | null = OPENAI_KEY) => {
  const res = await fetch(`${OPENAI_URL}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as ResponsesBody };
};
const user = (text: string) => ({ role: 'user', content: [{ type: 'input_text', text }] });
const refused = (message: string, param: string | null, code: string | null) => ({
  error: { message, type: 'invalid_request_error', param, code },
});

describe('the OpenAI fake answers in the Responses API’s shapes', () => {
  it('a text answer: a response object with a message item and usage', async () => {
    openai.replyWith('Hi there', { inputTokens: 10, outputTokens: 3 });
    const { status, headers, json } = await post({
      model: 'gpt-4.1-mini',
      input: [user('hello')],
      store: false,
    });
    expect(status).toBe(200);
    expect(headers.get('x-request-id')).toMatch(/^req_/);
    expect(json).toMatchObject({
      id: expect.stringMatching(/^resp_/),
      object: 'response',
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: 'gpt-4.1-mini',
      store: false,
      output: [
        {
          id: expect.stringMatching(/^msg_/),
          type: 'message',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: 'Hi there', annotations: [] }],
        },
      ],
      usage: { input_tokens: 10, output_tokens: 3, total_tokens: 13 },
    });
  });

  it('a handoff: a function_call item whose arguments are a JSON string', async () => {
    openai.handOff('wants a person', 'summary here', 'One moment.');
    const tools = [{ type: 'function', name: 'hand_off_to_human', parameters: null, strict: false }];
    const { json } = await post({ model: 'm', input: [user('a human please')], tools });
    expect(json.output).toEqual([
      expect.objectContaining({ type: 'message' }),
      {
        id: expect.stringMatching(/^fc_/),
        type: 'function_call',
        status: 'completed',
        call_id: expect.stringMatching(/^call_/),
        name: 'hand_off_to_human',
        arguments: JSON.stringify({ reason: 'wants a person', summary: 'summary here' }),
      },
    ]);
  });

  it('an incomplete answer, a scripted failure with Retry-After and retry-after-ms', async () => {
    openai.incomplete('cut');
    expect((await post({ model: 'm', input: 'x' })).json).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
    openai.failWith(429, { retryAfter: 3, retryAfterMs: 2500 });
    const limited = await post({ model: 'm', input: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.headers.get('retry-after-ms')).toBe('2500');
    expect(limited.json.error).toMatchObject({ type: 'tokens', code: 'rate_limit_exceeded', param: null });
    expect(openai.requests).toHaveLength(2);
  });
});

describe('the OpenAI fake refuses what OpenAI refuses', () => {
  it('no key, or a wrong one: 401, the key masked in the message', async () => {
    openai.expectRefusal(/^(missing_api_key|invalid_api_key)$/);
    expect((await post({ model: 'm' }, null)).status).toBe(401);
    const wrong = await post({ model: 'm' }, 'sk-proj-notthekey000000000000ABCD');
    expect(wrong.status).toBe(401);
    expect(wrong.json.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' });
    expect(wrong.json.error.message).toMatch(/^Incorrect API key provided: sk-proj-\*+ABCD\./);
    expect(openai.requests).toHaveLength(0);
  });

  it('input_text in an assistant message, output_text in a user message, an unknown role', async () => {
    openai.expectRefusal('invalid_value');
    const assistantInput = { role: 'assistant', content: [{ type: 'input_text', text: 'hi' }] };
    expect((await post({ model: 'm', input: [user('x'), assistantInput] })).json).toEqual(
      refused(
        "Invalid value: 'input_text'. Supported values are: 'output_text' and 'refusal'.",
        'input[1].content[0].type',
        'invalid_value',
      ),
    );
    const userOutput = { role: 'user', content: [{ type: 'output_text', text: 'hi' }] };
    expect((await post({ model: 'm', input: [userOutput] })).json.error.param).toBe(
      'input[0].content[0].type',
    );
    expect(
      (await post({ model: 'm', input: [{ role: 'customer', content: 'hi' }] })).json.error,
    ).toMatchObject({
      param: 'input[0].role',
    });
  });

  it('a strict tool whose schema is not closed or leaves a property optional', async () => {
    openai.expectRefusal('invalid_function_parameters');
    const tool = (parameters: unknown) => [
      { type: 'function', name: 'hand_off_to_human', strict: true, parameters },
    ];
    const open = { type: 'object', properties: { reason: { type: 'string' } }, required: ['reason'] };
    expect((await post({ model: 'm', input: 'x', tools: tool(open) })).json).toEqual(
      refused(
        "Invalid schema for function 'hand_off_to_human': In context=(), 'additionalProperties' is required to be supplied and to be false.",
        'tools[0].parameters',
        'invalid_function_parameters',
      ),
    );
    const optional = {
      type: 'object',
      properties: { reason: { type: 'string' }, summary: { type: 'string' } },
      required: ['reason'],
      additionalProperties: false,
    };
    expect((await post({ model: 'm', input: 'x', tools: tool(optional) })).json.error.message).toMatch(
      /Missing 'summary'\.$/,
    );
  });

  it('no model, an unknown parameter, max_output_tokens below 16, a body that is not JSON', async () => {
    openai.expectRefusal(
      /^(missing_required_parameter|unknown_parameter|integer_below_min_value|invalid_request_error)$/,
    );
    expect((await post({ input: 'x' })).json).toEqual(
      refused("Missing required parameter: 'model'.", 'model', 'missing_required_parameter'),
    );
    expect((await post({ model: 'm', temprature: 1 })).json).toEqual(
      refused("Unknown parameter: 'temprature'.", 'temprature', 'unknown_parameter'),
    );
    expect((await post({ model: 'm', max_output_tokens: 5 })).json.error).toMatchObject({
      message:
        "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got 5 instead.",
      code: 'integer_below_min_value',
    });
    const notJson = await post('{"model": ');
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.message).toMatch(/^We could not parse the JSON body of your request/);
  });
});
