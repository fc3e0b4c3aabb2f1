import type { App as BoltApp } from '@slack/bolt';
import { Hono } from 'hono';
import type { Redis } from 'ioredis';
import { AppError } from '../../../src/domain/errors.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import type { Logger } from '../../../src/logger.ts';
import { storable } from '../../../src/use-cases/input.ts';
import { checkSlackSignature } from './signature.ts';

/** An event id is remembered this long: Slack retries within minutes (three times, up to ~5 min apart). */
const EVENT_ID_TTL_SECONDS = 3600;

export interface SlackRouteDeps {
  signingSecret: string;
  bolt: BoltApp;
  redis: Redis;
  prefix: string;
  logger: Logger;
  now?: () => number;
}

/**
 * `POST /slack/events`: events, slash commands and interactivity, one receiver of our own in front
 * of Bolt. Verifies the signature on the raw body, drops Events API retries already handled (by
 * event_id, in Redis with expiry; replies are also unique by their Slack ts in PostgreSQL) and
 * replayed commands and button clicks (by their signature), hands the payload to Bolt and answers
 * with what the listener acknowledged, after its work committed.
 */
export function slackRoutes(deps: SlackRouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/slack/events', async (c) => {
    const raw = await c.req.text();
    const check = checkSlackSignature(
      deps.signingSecret,
      raw,
      { signature: c.req.header('x-slack-signature'), timestamp: c.req.header('x-slack-request-timestamp') },
      deps.now ? deps.now() : Date.now(),
    );
    if (!check.ok)
      throw new AppError('signature_invalid', `The Slack signature is not valid: ${check.reason}`);

    // Strings PostgreSQL cannot keep (a NUL in a message or an id) are cleaned once, here.
    const body = storable(parseBody(raw, c.req.header('content-type') ?? ''));
    if (body.type === 'url_verification') return c.json({ challenge: String(body.challenge ?? '') });
    if (body.ssl_check) return c.body(null, 200);

    // Commands and buttons carry no event id: the same signed request sent again (a replay within
    // the timestamp window) is known by its signature, which covers the timestamp and the body.
    const eventId = typeof body.event_id === 'string' ? body.event_id : null;
    const seenKey = eventId
      ? `${deps.prefix}:slack:event:${eventId}`
      : `${deps.prefix}:slack:request:${c.req.header('x-slack-signature')}`;
    if (!(await deps.redis.set(seenKey, '1', 'EX', EVENT_ID_TTL_SECONDS, 'NX'))) {
      return c.body(null, 200);
    }
    let acked: unknown;
    try {
      await deps.bolt.processEvent({
        body,
        retryNum: Number(c.req.header('x-slack-retry-num') ?? 0) || undefined,
        retryReason: c.req.header('x-slack-retry-reason'),
        ack: async (response?: unknown) => {
          acked = response;
        },
      });
    } catch (err) {
      // Not handled: forget the id so Slack's retry is processed.
      await deps.redis.del(seenKey).catch(() => {});
      throw err;
    }
    if (acked === undefined || acked === '') return c.body(null, 200);
    return typeof acked === 'string' ? c.text(acked) : c.json(acked as object);
  });
  return app;
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  try {
    if (contentType.startsWith('application/x-www-form-urlencoded')) {
      const form = Object.fromEntries(new URLSearchParams(raw));
      // Interactivity posts one form field, `payload`, holding JSON; slash commands are plain fields.
      return typeof form.payload === 'string' ? asObject(JSON.parse(form.payload)) : form;
    }
    if (contentType.startsWith('application/json')) return asObject(JSON.parse(raw));
  } catch {
    throw new AppError('bad_request', 'The Slack request body is not valid JSON or form data.');
  }
  throw new AppError(
    'unsupported_media_type',
    'Slack requests are application/json (events) or application/x-www-form-urlencoded (commands, interactivity).',
  );
}

function asObject(v: unknown): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
  return v as Record<string, unknown>;
}
