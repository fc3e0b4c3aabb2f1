import { z } from 'zod';

/**
 * Every environment variable Parley reads, parsed once at start-up.
 * Defaults make `npm start` work on a machine with PostgreSQL and Redis on localhost.
 * Integrations (WhatsApp, Twilio, Slack, Teams, OpenAI) are optional: unset means "not configured".
 */
const optionalSecret = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** A base URL without its trailing slash. */
const baseUrl = (protocol: RegExp, message: string) =>
  z.url({ protocol, message }).transform((u) => u.replace(/\/+$/, ''));
const httpUrl = baseUrl(/^https?$/, 'must be an http(s):// URL');
/** https, or plain http to this machine only (a local fake): the app's secret is sent there. */
const httpsOrLoopback = httpUrl.refine(
  (u) => u.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/.test(u),
  { message: 'must be an https:// URL (plain http only to 127.0.0.1 or localhost)' },
);
/** An optional setting whose empty value (`NAME=` in an env file) means unset. */
const unsetWhenEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const perMinute = (fallback: number) => z.coerce.number().int().min(0).max(1_000_000).default(fallback);

/** Where PostgreSQL and Redis are looked for when DATABASE_URL / REDIS_URL are unset. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/parley';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

const envSchema = z.object({
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, message: 'must be a postgres:// URL' })
    .default(DEFAULT_DATABASE_URL),
  REDIS_URL: z.url({ protocol: /^rediss?$/, message: 'must be a redis:// URL' }).default(DEFAULT_REDIS_URL),
  /** Prefix of every Redis key (BullMQ queues); use a hash tag such as `{parley}` on Redis Cluster. */
  REDIS_PREFIX: z.string().min(1).default('parley'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** The URL customers' providers and chat platforms reach Parley at (webhook signatures are checked against it). */
  PUBLIC_URL: z.url({ message: 'must be an absolute http(s) URL' }).optional(),
  /** Bearer token for the admin REST API; the admin API answers 503 until it is set. At least 24 characters. */
  ADMIN_API_TOKEN: optionalSecret.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Bearer token for `GET /metrics` (Prometheus); without it (and without METRICS_PORT) there is no /metrics. */
  METRICS_TOKEN: optionalSecret.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** Serves `/metrics` on this port of its own, in every process role (a worker has no other HTTP server). */
  METRICS_PORT: unsetWhenEmpty(z.coerce.number().int().min(1).max(65535)),
  /** Largest request body accepted, in bytes. */
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  /** How often the reconciler looks for work Redis lost, in milliseconds. */
  RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1000).default(30_000),
  /** A thread header whose only change is its unreplied count is redrawn at most this often (chat platforms rate-limit edits). */
  HEADER_COUNT_REDRAW_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  /** Jobs each worker process runs at once per queue. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /** Pool size of PostgreSQL connections per process. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  /** On SIGTERM, how long running requests and jobs may take before they are cut off and handed back. */
  /** Webhook messages written by one statement at most (group commit); 1 writes each alone. */
  WEBHOOK_BATCH_MAX: z.coerce.number().int().min(1).max(1000).default(64),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(8_000),

  // Attachments: a local directory by default, S3-compatible storage when S3_BUCKET is set.
  STORAGE_DIR: z.string().min(1).default('./data/attachments'),
  ATTACHMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  S3_BUCKET: optionalSecret,
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: optionalSecret,
  S3_SECRET_ACCESS_KEY: optionalSecret,
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),

  // Webchat abuse limits and housekeeping (README, "Webchat": "Limits").
  /** Proxies in front of Parley that append to X-Forwarded-For; 0 takes the client's address from the socket. */
  WEBCHAT_TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** Requests per minute, per client address and per widget; 0 turns that limit off. */
  WEBCHAT_SESSIONS_PER_IP_PER_MINUTE: perMinute(20),
  WEBCHAT_SESSIONS_PER_WIDGET_PER_MINUTE: perMinute(600),
  WEBCHAT_MESSAGES_PER_IP_PER_MINUTE: perMinute(60),
  WEBCHAT_MESSAGES_PER_WIDGET_PER_MINUTE: perMinute(3000),
  WEBCHAT_UPLOADS_PER_IP_PER_MINUTE: perMinute(10),
  WEBCHAT_UPLOADS_PER_WIDGET_PER_MINUTE: perMinute(300),
  /** Live streams one session may hold open at once (a browser allows about six connections per site). */
  WEBCHAT_STREAMS_PER_SESSION: z.coerce.number().int().min(1).max(100).default(5),
  /** A session unused for this long has ended; the widget starts a new one. */
  WEBCHAT_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(1440),
  /** An uploaded file not sent in a message within this time is deleted. */
  WEBCHAT_UPLOAD_MAX_AGE_MINUTES: z.coerce.number().int().min(1).default(1440),
  /** How often the worker removes ended sessions and unsent uploads. */
  WEBCHAT_CLEANUP_INTERVAL_MINUTES: z.coerce.number().int().min(1).default(15),

  // WhatsApp Cloud API (Meta). The base URL is configurable for proxies, regional endpoints and fakes.
  WHATSAPP_API_URL: z.url().default('https://graph.facebook.com/v23.0'),
  WHATSAPP_APP_SECRET: optionalSecret,
  WHATSAPP_VERIFY_TOKEN: optionalSecret,
  WHATSAPP_ACCESS_TOKEN: optionalSecret,

  // Twilio SMS/MMS.
  TWILIO_API_URL: z.url().default('https://api.twilio.com'),
  TWILIO_ACCOUNT_SID: optionalSecret,
  TWILIO_AUTH_TOKEN: optionalSecret,

  // Slack. The Web API base URL is configurable for GovSlack, proxies and local fakes.
  SLACK_API_URL: z
    .url()
    .default('https://slack.com/api/')
    .transform((u) => (u.endsWith('/') ? u : `${u}/`)),
  SLACK_SIGNING_SECRET: optionalSecret,
  SLACK_BOT_TOKEN: optionalSecret,
  /** Optional user token of a workspace admin: lets Parley remove people's messages from a thread (R24, R31). */
  SLACK_USER_TOKEN: optionalSecret,

  // The AI agent (README, "AI agent"): on for groups whose aiAgent is enabled, when OPENAI_API_KEY is set.
  OPENAI_API_KEY: optionalSecret,
  /** OpenAI by default; an Azure OpenAI resource's ".../openai/v1/", a compatible gateway or a local fake. */
  OPENAI_BASE_URL: z.url().default('https://api.openai.com/v1'),
  /** The model a group uses unless its aiAgent names one. */
  OPENAI_MODEL: z.string().trim().min(1).default('gpt-4.1-mini'),
  /** One model call is abandoned (and retried) after this long. */
  AI_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** Failed calls for one answer before the agent hands the conversation to a person. */
  AI_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Customer messages this close together are answered once, after the last (R36). */
  AI_BURST_WINDOW_MS: z.coerce.number().int().min(0).max(60_000).default(2_000),
  /** AI answers one worker process writes at once (they mostly wait for the model). */
  AI_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(32),
  /** The longest answer sent to a customer, in characters (the rest is cut at a word). */
  AI_MAX_REPLY_CHARS: z.coerce.number().int().min(100).max(10_000).default(1_500),

  // Payments (README, "Invoices and checkouts"): pay links through Stripe when STRIPE_SECRET_KEY is set
  // (with STRIPE_WEBHOOK_SECRET); without them an admin marks invoices paid by hand.
  STRIPE_SECRET_KEY: optionalSecret,
  /** The signing secret (`whsec_...`) of the webhook endpoint `<PUBLIC_URL>/webhooks/stripe`. */
  STRIPE_WEBHOOK_SECRET: optionalSecret,
  /** Stripe's API base for a proxy or a local fake (`http://127.0.0.1:12111`); Stripe's own when unset. */
  STRIPE_API_BASE: unsetWhenEmpty(httpsOrLoopback),
  /** How long a pay link stays valid, in hours (Stripe allows 0.5 to 24). */
  PAYMENT_LINK_TTL_HOURS: z.coerce.number().min(0.5).max(24).default(24),
  /** Where the customer lands after paying, and after giving up; Parley's own short pages by default. */
  PAYMENT_SUCCESS_URL: unsetWhenEmpty(httpUrl),
  PAYMENT_CANCEL_URL: unsetWhenEmpty(httpUrl),

  // Microsoft Teams (README, "Microsoft Teams"): a single-tenant bot, on when TEAMS_APP_ID,
  // TEAMS_APP_PASSWORD and TEAMS_TENANT_ID are set (one without the others is refused). The cloud picks every endpoint
  // (Entra login, Bot Framework token keys and issuer, Bot Connector); each can be overridden.
  /** The bot's Microsoft App ID (the Entra app registration's client id). */
  TEAMS_APP_ID: optionalSecret,
  /** A client secret of that app registration. */
  TEAMS_APP_PASSWORD: optionalSecret,
  /** The Entra tenant (directory) id the app is registered in: tokens are asked for there. */
  TEAMS_TENANT_ID: optionalSecret,
  /** Public (default), USGov (GCC High), USGovDoD or China (21Vianet). */
  TEAMS_CLOUD: z
    .string()
    .trim()
    .default('Public')
    .transform((v) => v.toLowerCase())
    .pipe(
      z.enum(['public', 'usgov', 'usgovdod', 'china'], {
        message: 'must be Public, USGov, USGovDoD or China',
      }),
    ),
  // Overrides of the cloud's endpoints (sovereign or private clouds, local fakes).
  /** The Entra authority host (`https://login.microsoftonline.com`): client-credential tokens come from `<it>/<tenant>/oauth2/v2.0/token`. */
  TEAMS_LOGIN_ENDPOINT: unsetWhenEmpty(httpsOrLoopback),
  /** Where the Bot Framework's signing keys are published (the keys themselves at `/keys` beside it). */
  TEAMS_OPENID_METADATA_URL: unsetWhenEmpty(
    httpUrl.refine((u) => /\/openidconfiguration$/.test(u), {
      message:
        'must end in /openidconfiguration (the signing keys are read from /keys beside it, as on login.botframework.com)',
    }),
  ),
  /** The `iss` every inbound Bot Framework token must carry (`https://api.botframework.com`). */
  TEAMS_TOKEN_ISSUER: unsetWhenEmpty(z.url()),
  /** The scope of Parley's own tokens for the Bot Connector (`https://api.botframework.com/.default`). */
  TEAMS_BOT_SCOPE: unsetWhenEmpty(z.string().trim()),
  /** The Bot Connector base URL for messages Parley starts (replies to an activity use its serviceUrl). */
  TEAMS_SERVICE_URL: unsetWhenEmpty(httpUrl),
  /** Microsoft Graph with its version (`https://graph.microsoft.com/v1.0`): reads a post's replies back; tokens for `<its origin>/.default`. */
  TEAMS_GRAPH_URL: unsetWhenEmpty(httpUrl),
});

export type Config = z.infer<typeof envSchema> & { publicUrl: string };

/** Every environment variable the schema reads (compose.yaml is checked against it). */
export const configVariables: readonly string[] = Object.keys(envSchema.shape);

export class ConfigError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.issues = issues;
  }
}

/** Parses the environment; throws ConfigError whose lines each name the variable at fault. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => `${i.path.join('.') || 'environment'}: ${i.message}`),
    );
  }
  const c = result.data;
  const togetherProblems = [...teamsConfigProblems(c), ...partialChannelProblems(c)];
  if (togetherProblems.length) throw new ConfigError(togetherProblems);
  // A provider without its webhook secret would issue links whose payments are never recorded.
  if (Boolean(c.STRIPE_SECRET_KEY) !== Boolean(c.STRIPE_WEBHOOK_SECRET))
    throw new ConfigError([
      c.STRIPE_SECRET_KEY
        ? 'STRIPE_WEBHOOK_SECRET: required with STRIPE_SECRET_KEY (the signing secret of <PUBLIC_URL>/webhooks/stripe)'
        : 'STRIPE_SECRET_KEY: required with STRIPE_WEBHOOK_SECRET',
    ]);
  return { ...c, publicUrl: (c.PUBLIC_URL ?? `http://localhost:${c.PORT}`).replace(/\/$/, '') };
}

/** A channel's variables turn it on together: some without the others is refused, never silently off. */
const CHANNEL_VARIABLES = [
  ['WhatsApp', ['WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN', 'WHATSAPP_ACCESS_TOKEN']],
  ['Twilio SMS', ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN']],
  ['Slack', ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET']],
] as const;

function partialChannelProblems(c: z.infer<typeof envSchema>): string[] {
  return CHANNEL_VARIABLES.flatMap(([channel, names]) => {
    const missing = names.filter((n) => !c[n]);
    if (missing.length === 0 || missing.length === names.length) return [];
    const set = names.filter((n) => c[n]);
    return [
      `${missing.join(', ')}: required with ${set.join(' and ')} (${channel} is on only with all of ${names.join(', ')}; unset them all to leave it off)`,
    ];
  });
}

/** Teams needs its three identifiers together (a single-tenant app), and China has no default Bot Connector URL. */
function teamsConfigProblems(c: z.infer<typeof envSchema>): string[] {
  const set = [c.TEAMS_APP_ID, c.TEAMS_APP_PASSWORD, c.TEAMS_TENANT_ID].filter(Boolean).length;
  if (set === 0) return [];
  const problems: string[] = [];
  if (!c.TEAMS_APP_ID) problems.push('TEAMS_APP_ID: required with TEAMS_APP_PASSWORD and TEAMS_TENANT_ID');
  if (!c.TEAMS_APP_PASSWORD)
    problems.push('TEAMS_APP_PASSWORD: required with TEAMS_APP_ID (a client secret of the app registration)');
  if (!c.TEAMS_TENANT_ID)
    problems.push(
      "TEAMS_TENANT_ID: required with TEAMS_APP_ID (Parley's Teams app is single-tenant: its Entra directory id)",
    );
  if (c.TEAMS_CLOUD === 'china' && !c.TEAMS_SERVICE_URL)
    problems.push(
      'TEAMS_SERVICE_URL: required with TEAMS_CLOUD=China (the Bot Connector URL of your tenant)',
    );
  return problems;
}
