import { Hono } from 'hono';
import { z } from 'zod';
import { COMMENT_MAX } from '../../../src/domain/csat.ts';
import { AppError } from '../../../src/domain/errors.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import type { WebhookDeps } from '../../../src/ports/adapter-module.ts';
import { recordCsatAnswer } from '../../../src/use-cases/csat-answer.ts';
import { clientIp } from './client-ip.ts';
import { readJson } from './read-json.ts';
import { authenticate } from './sessions.ts';
import type { WebchatRuntime } from './webchat.channel.ts';

const csatBody = z.object({
  surveyId: z.uuid(),
  rating: z.number().int().min(1, 'rating must be 1 to 5').max(5, 'rating must be 1 to 5'),
  comment: z.string().max(COMMENT_MAX).optional(),
});

/**
 * R42: the widget's rating card answers here, with the visitor's session token. The survey must be
 * this visitor's and still open; the first answer stands (a second one is answered 200, unchanged).
 */
export function csatRoute(runtime: WebchatRuntime, deps: WebhookDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const { policy } = runtime;
  app.post('/webchat/api/csat', async (c) => {
    await policy.limits.count('messages', 'ip', clientIp(c, policy.trustProxyHops));
    const { session } = await authenticate(c, policy);
    const body = await readJson(c, csatBody);
    const result = await recordCsatAnswer(
      deps.context(),
      { kind: 'contact' },
      {
        channel: 'webchat',
        endpointAddress: session.endpoint.address,
        address: session.address,
        surveyId: body.surveyId,
        rating: body.rating,
        comment: body.comment ?? null,
        provider: 'webchat',
        providerMessageId: `${session.id}:csat:${body.surveyId}`,
      },
    );
    if (!result) throw new AppError('not_found', 'This rating request is not open any more.');
    return c.json({ rated: true, duplicate: result.duplicate }, result.duplicate ? 200 : 201);
  });
  return app;
}
