import type { AnyHandler } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { recordVendorProblem } from './harness-guard.ts';

/**
 * Fakes vendor HTTP APIs in-process. A request no handler knows is refused (it never reaches a
 * real Slack, Meta or Twilio) and fails the test after it ends, listed with its method, URL and
 * body: Parley swallows and retries many failed calls, so a refused request alone would go unseen.
 * The same check fails the test for calls the fakes record as wrong (harness-guard.ts).
 */
export function useMsw(...handlers: AnyHandler[]) {
  const server = setupServer(...handlers);
  beforeAll(() =>
    server.listen({
      onUnhandledFrame: async ({ frame }) => {
        const data = frame.data as { request?: Request };
        const request = data.request;
        let what: string;
        if (request) {
          const body = request.body == null ? '' : await request.clone().text();
          const shown = body.length > 500 ? `${body.slice(0, 500)}…` : body;
          what = `no msw handler matches ${request.method} ${request.url}${shown ? ` (body: ${shown})` : ''}: a wrong URL or method, or a vendor endpoint the fakes do not implement`;
        } else {
          what = `no msw handler matches a ${frame.protocol} connection: ${await frame.getUnhandledMessage()}`;
        }
        recordVendorProblem({ vendor: 'msw', what });
        // Refuse it, as before: the caller sees a network error.
        throw new Error(`[msw] unhandled request refused: ${what}`);
      },
    }),
  );
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}
