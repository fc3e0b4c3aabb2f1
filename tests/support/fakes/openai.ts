import { randomBytes } from 'node:crypto';
import { HttpResponse, http } from 'msw';
import { expectVendorRefusal, recordVendorProblem } from '../harness-guard.ts';
import { type FakeAnswer, type FakeUsage, type ResponsesBody, responseObject } from './openai-response.ts';
import { type OpenAiError, responsesRequestProblem } from './openai-rules.ts';

export type { FakeAnswer, FakeUsage, ResponsesBody } from './openai-response.ts';

/**
 * An in-process fake of OpenAI's Responses API (`POST /v1/responses`, non-streaming), with the
 * API's real shapes: a `response` object whose output holds `message` items (`output_text`
 * parts) and `function_call` items, `usage`, and errors as `{ error: { message, type, param,
 * code } }` with `retry-after`/`retry-after-ms` headers. Tests script the model's answers and
 * failures; by default it answers with `answer()`'s text.
 *
 * It refuses what OpenAI refuses: a missing or wrong key (401, invalid_api_key), a body the API
 * would not take (400 invalid_request_error: see openai-rules.ts), a path it does not serve
 * (404). Such requests fail the test (harness-guard.ts) unless it declares the refusal with
 * `expectRefusal('invalid_api_key')`: the error's code, else its param, else its type; no key at all
 * is `missing_api_key` (OpenAI's body has no code for it).
 */
export const OPENAI_URL = 'https://openai.test/v1';
export const OPENAI_KEY = 'sk-proj-parleytest0123456789abcdefWXYZ';

/** OpenAI's usual error bodies by status, for scripted failures. */
const ERRORS: Record<number, Omit<OpenAiError, 'param'>> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  401: {
    message:
      'Incorrect API key provided: sk-proj-****WXYZ. You can find your API key at https://platform.openai.com/account/api-keys.',
    type: 'invalid_request_error',
    code: 'invalid_api_key',
  },
  403: {
    message: 'You are not allowed to sample from this model',
    type: 'invalid_request_error',
    code: null,
  },
  404: {
    message: 'The model `gpt-x` does not exist or you do not have access to it.',
    type: 'invalid_request_error',
    code: 'model_not_found',
  },
  429: {
    message:
      'Rate limit reached for gpt-4.1-mini in organization org-parley on tokens per min (TPM): Limit 200000, Used 199800, Requested 900. Please try again in 210ms. Visit https://platform.openai.com/account/rate-limits to learn more.',
    type: 'tokens',
    code: 'rate_limit_exceeded',
  },
  500: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    code: null,
  },
  503: {
    message: 'The engine is currently overloaded, please try again later.',
    type: 'server_error',
    code: null,
  },
};
const errorFor = (status: number, message?: string): OpenAiError => {
  const known = ERRORS[status] ?? ERRORS[status >= 500 ? 500 : 400]!;
  return { ...known, message: message ?? known.message, param: null };
};

const hex = (n: number) => randomBytes(n).toString('hex');

/** Waits `ms`, or less when the caller gives up (the request's signal): no timer outlives the test. */
const waitUnlessAborted = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

export function openAiFake(baseUrl = OPENAI_URL, apiKey = OPENAI_KEY) {
  /** Every authenticated `POST /responses` body, taken or refused, oldest first. */
  const requests: ResponsesBody[] = [];
  const script: FakeAnswer[] = [];
  const defaultAnswer = (): FakeAnswer => ({ kind: 'text', text: 'Hello! How can I help you today?' });
  let fallback: (body: ResponsesBody) => FakeAnswer | string = defaultAnswer;

  const headers = () => ({ 'x-request-id': `req_${hex(16)}`, 'openai-processing-ms': '12' });
  const errorResponse = (status: number, error: OpenAiError, extra: Record<string, string> = {}) =>
    HttpResponse.json({ error }, { status, headers: { ...headers(), ...extra } });
  /** OpenAI refuses a request Parley should not have sent: recorded (fails the test unless expected), answered. */
  const refuse = (request: Request, status: number, error: OpenAiError, label?: string) => {
    recordVendorProblem({
      vendor: 'OpenAI',
      refusal: label ?? error.code ?? error.param ?? error.type,
      what: `OpenAI refused ${request.method} ${request.url} with ${status} ${error.code ?? error.type}: ${error.message}`,
    });
    return errorResponse(status, error);
  };
  const masked = (key: string) =>
    `${key.slice(0, 8)}${'*'.repeat(Math.max(4, key.length - 12))}${key.slice(-4)}`;

  async function answer(request: Request, body: ResponsesBody, step: FakeAnswer): Promise<Response> {
    if (step.kind === 'slow') {
      await waitUnlessAborted(step.ms, request.signal);
      if (request.signal.aborted) return HttpResponse.error();
      return answer(request, body, step.then ?? toAnswer(fallback(body)));
    }
    if (step.kind === 'drop') return HttpResponse.error();
    if (step.kind === 'error') {
      const extra: Record<string, string> = {};
      if (step.retryAfter !== undefined) extra['retry-after'] = String(step.retryAfter);
      if (step.retryAfterMs !== undefined) extra['retry-after-ms'] = String(step.retryAfterMs);
      return errorResponse(step.status, errorFor(step.status, step.message), extra);
    }
    if (step.kind === 'call' && !(body.tools ?? []).some((t: { name?: string }) => t.name === step.name))
      recordVendorProblem({
        vendor: 'OpenAI',
        what: `the test scripted a call of '${step.name}', which the request did not offer as a tool`,
      });
    return HttpResponse.json(responseObject(body, step), { headers: headers() });
  }

  const handlers = [
    http.post(`${baseUrl}/responses`, async ({ request }) => {
      const auth = request.headers.get('authorization');
      if (!auth?.startsWith('Bearer '))
        return refuse(
          request,
          401,
          {
            message:
              "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
            type: 'invalid_request_error',
            param: null,
            code: null,
          },
          'missing_api_key',
        );
      const given = auth.slice('Bearer '.length);
      if (given !== apiKey)
        return refuse(request, 401, {
          ...errorFor(401),
          message: errorFor(401).message.replace('sk-proj-****WXYZ', masked(given)),
        });
      let body: ResponsesBody;
      try {
        body = (await request.json()) as ResponsesBody;
      } catch {
        return refuse(request, 400, {
          message:
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
          type: 'invalid_request_error',
          param: null,
          code: null,
        });
      }
      requests.push(body);
      const problem = responsesRequestProblem(body);
      if (problem) return refuse(request, 400, problem);
      if (body.stream === true)
        recordVendorProblem({
          vendor: 'OpenAI',
          what: 'Parley asked for a stream, which the OpenAI fake does not implement',
        });
      return answer(request, body, script.shift() ?? toAnswer(fallback(body)));
    }),
    // Anything else under the API: an endpoint the fake (and so Parley's known use of OpenAI) does not have.
    http.all(`${baseUrl}/*`, ({ request }) => {
      const path = new URL(request.url).pathname;
      recordVendorProblem({
        vendor: 'OpenAI',
        what: `Parley called ${request.method} ${request.url}, which the OpenAI fake does not implement: a wrong path or method, or a gap in tests/support/fakes/openai.ts`,
      });
      return errorResponse(404, invalid404(request.method, path));
    }),
  ];

  return {
    handlers,
    requests,
    /** The answer when nothing is queued: a text, an answer, or one computed from the request body. */
    answer: (a: string | FakeAnswer | ((body: ResponsesBody) => FakeAnswer | string)) => {
      fallback = typeof a === 'function' ? a : () => a;
    },
    /** The next request gets this text (and usage, when given). */
    replyWith: (text: string, usage?: FakeUsage) => script.push({ kind: 'text', text, usage }),
    /** The next request gets a call of hand_off_to_human, with `text` said beside it when given. */
    handOff: (reason: string, summary: string, text?: string, usage?: FakeUsage) =>
      script.push({
        kind: 'call',
        name: 'hand_off_to_human',
        arguments: JSON.stringify({ reason, summary }),
        text,
        usage,
      }),
    /** The next request gets a call of `name` with these raw arguments (malformed ones included). */
    callTool: (name: string, args: string, text?: string) =>
      script.push({ kind: 'call', name, arguments: args, text }),
    /** The next request fails with this status and OpenAI's error body; `retryAfter` in seconds (or an HTTP date). */
    failWith: (
      status: number,
      o: { retryAfter?: number | string; retryAfterMs?: number; message?: string } = {},
    ) => script.push({ kind: 'error', status, ...o }),
    /** The next request is answered after `ms` (or never, when the caller gives up first). */
    slow: (ms: number, then?: FakeAnswer) => script.push({ kind: 'slow', ms, then }),
    /** The next answer stops at max_output_tokens (`status: 'incomplete'`) after `text` ('' for none). */
    incomplete: (text: string) => script.push({ kind: 'incomplete', text }),
    /** The next answer is the model declining (a `refusal` part, no text). */
    refusal: (refusal: string) => script.push({ kind: 'refusal', refusal }),
    /** The next request's connection drops without an answer. */
    drop: () => script.push({ kind: 'drop' }),
    /** The last request body (throws when there was none). */
    lastRequest: (): ResponsesBody => {
      const last = requests.at(-1);
      if (!last) throw new Error('the OpenAI fake has had no request');
      return last;
    },
    /** This test makes OpenAI refuse a request on purpose (`'invalid_api_key'`…): not a failure, and it must happen. */
    expectRefusal: (code: string | RegExp) => expectVendorRefusal('OpenAI', code),
    reset: () => {
      requests.length = 0;
      script.length = 0;
      fallback = defaultAnswer;
    },
  };
}

const toAnswer = (a: FakeAnswer | string): FakeAnswer =>
  typeof a === 'string' ? { kind: 'text', text: a } : a;
const invalid404 = (method: string, path: string): OpenAiError => ({
  message: `Invalid URL (${method} ${path})`,
  type: 'invalid_request_error',
  param: null,
  code: null,
});

export type OpenAiFake = ReturnType<typeof openAiFake>;
