import OpenAI from 'openai';
import type { AiAnswer, AiModel, AiRequest } from '../../../src/ports/ai-model.ts';
import { answerFrom } from './answer.ts';
import { toAiModelError } from './errors.ts';
import { responsesBody } from './request-body.ts';

export interface OpenAiModelOptions {
  apiKey: string;
  /** OpenAI (`https://api.openai.com/v1`), an Azure OpenAI resource's `.../openai/v1`, a gateway or a fake. */
  baseURL: string;
  /** Tests and proxies may pass their own. */
  fetch?: typeof fetch;
}

/**
 * The AI agent's model on the Responses API (R36). The SDK makes one attempt per call: Parley's
 * ai-reply job retries with backoff itself (honouring Retry-After), and owns the attempt count.
 */
export function createOpenAiModel(options: OpenAiModelOptions): AiModel {
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    maxRetries: 0,
    // Nothing from the environment (OPENAI_ORG_ID, OPENAI_PROJECT_ID…) joins the request unseen.
    organization: null,
    project: null,
    // The SDK keeps the fetch it is given; this one looks up the global at each call, so a fetch
    // patched after start-up (instrumentation, msw in tests) is the one used.
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
  });
  return {
    name: 'openai',
    async respond(request: AiRequest): Promise<AiAnswer> {
      try {
        const response = await client.responses.create(responsesBody(request), {
          timeout: request.timeoutMs,
          maxRetries: 0,
        });
        return answerFrom(response);
      } catch (err) {
        throw toAiModelError(err, options.apiKey, request.timeoutMs);
      }
    },
  };
}
