import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { responseObject } from '../tests/support/fakes/openai-response.ts';
import { responsesRequestProblem } from '../tests/support/fakes/openai-rules.ts';

/**
 * A small HTTP server of ours standing in for OpenAI's Responses API in benchmarks (`parley
 * worker` reaches it over loopback through OPENAI_BASE_URL). `POST /v1/responses` answers, after
 * a fixed think time, with a `response` object in the API's shape (as tests/support/fakes/openai.ts
 * draws it) whose text carries the token found in the request's last user input, so a benchmark
 * can match the answer to the provider send it became. It refuses what OpenAI refuses (a wrong
 * key, a body the API would not take: openai-rules.ts) and records, per request, when it arrived
 * and when its answer was written.
 */

export interface OpenAiRequestRecord {
  /** The token from the last user input (`tokenPattern`), or null when none matched. */
  token: string | null;
  /** When the request's body had arrived (Date.now(): the clock the fake Graph API and the rows use). */
  arrivedAt: number;
  /** When the answer was written (after the think time). */
  answeredAt: number;
  status: number;
}

export interface FakeOpenAiOptions {
  apiKey: string;
  /** How long the "model" thinks before answering, in ms. */
  thinkMs: number;
  /** What a benchmark's token looks like in a customer's text. */
  tokenPattern: RegExp;
}

const hex = (n: number) => randomBytes(n).toString('hex');

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const json = (res: ServerResponse, status: number, data: unknown) => {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-request-id': `req_${hex(16)}`,
    'openai-processing-ms': '50',
  });
  res.end(JSON.stringify(data));
};

type Body = {
  model?: string;
  instructions?: string;
  input?: { role?: string; content?: { type?: string; text?: string }[] }[];
  max_output_tokens?: number;
  tools?: unknown[];
  tool_choice?: unknown;
  parallel_tool_calls?: boolean;
  store?: boolean;
};

/** The text of the last `user` message item of the request's input. */
function lastUserText(body: Body): string {
  const items = Array.isArray(body.input) ? body.input : [];
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item?.role !== 'user') continue;
    return (item.content ?? []).map((c) => c.text ?? '').join(' ');
  }
  return '';
}

/** A completed `response` object with one assistant message, echoing the request's settings. */

export async function startFakeOpenAi(opts: FakeOpenAiOptions) {
  let thinkMs = opts.thinkMs;
  const requests: OpenAiRequestRecord[] = [];
  /** Requests refused (a wrong key, a body OpenAI would not take): each is a bug in the benchmark or Parley. */
  const refused: { status: number; message: string }[] = [];

  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const arrivedAt = Date.now();
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || path !== '/v1/responses') {
      refused.push({ status: 404, message: `${req.method} ${path}` });
      return json(res, 404, {
        error: {
          message: `Invalid URL (${req.method} ${path})`,
          type: 'invalid_request_error',
          param: null,
          code: null,
        },
      });
    }
    if (req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      refused.push({ status: 401, message: 'invalid_api_key' });
      return json(res, 401, {
        error: {
          message: 'Incorrect API key provided.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
    }
    let body: Body;
    try {
      body = JSON.parse(raw) as Body;
    } catch {
      refused.push({ status: 400, message: 'unparsable JSON' });
      return json(res, 400, {
        error: {
          message: 'We could not parse the JSON body of your request.',
          type: 'invalid_request_error',
        },
      });
    }
    const problem = responsesRequestProblem(body);
    if (problem) {
      refused.push({ status: 400, message: problem.message });
      return json(res, 400, { error: problem });
    }
    const token = opts.tokenPattern.exec(lastUserText(body))?.[0] ?? null;
    if (thinkMs > 0) await new Promise((r) => setTimeout(r, thinkMs));
    const text = `Thanks for writing (${token ?? 'no token'}). How can I help you today?`;
    const answeredAt = Date.now();
    requests.push({ token, arrivedAt, answeredAt, status: 200 });
    json(res, 200, responseObject(body, { kind: 'text', text }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    /** OPENAI_BASE_URL. */
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    refused,
    /** Changes the think time from now on (0: the loopback round trip alone). */
    setThinkMs: (ms: number) => {
      thinkMs = ms;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
