import { generateKeyPairSync, type JsonWebKey, type KeyObject, randomUUID, sign } from 'node:crypto';
import { HttpResponse, http } from 'msw';
import { TEAMS_GRAPH_URL } from './fake-teams-graph.ts';
import { expectVendorRefusal, recordVendorProblem } from './harness-guard.ts';

/**
 * Microsoft's side of Teams authentication, faked with msw: the Bot Framework's OpenID metadata
 * and signing keys (RSA keys made here, published as JWKs; a test can publish a new one at run
 * time, as Microsoft rotates them), Entra's token endpoint for the client-credentials grant, and
 * `signedActivityRequest`, which signs an activity the way the Bot Framework Connector does before
 * posting it to the bot. The token endpoint refuses what Entra refuses, with Entra's error body
 * (AADSTS codes); a refusal fails the test unless the test declares it with `expectRefusal`.
 */
export const TEAMS_APP_ID = '7d1c2a9e-5b3f-4e61-9a2d-0c8b6f4e1a37';
export const TEAMS_TENANT_ID = 'c4e9b1d2-8a7f-4b3c-9e6d-2f1a0b5c7d84';
export const TEAMS_APP_PASSWORD = 'teams-client-secret-for-tests';
export const LOGIN_URL = 'https://login.teams.test';
export const OPENID_METADATA_URL = 'https://botapi.teams.test/v1/.well-known/openidconfiguration';
export const KEYS_URL = 'https://botapi.teams.test/v1/.well-known/keys';
export const TOKEN_ISSUER = 'https://api.teams.test';
export const BOT_SCOPE = 'https://api.teams.test/.default';
/** Graph's scope for the Graph fake (fake-teams-graph.ts) that TEAMS_GRAPH_URL points at. */
export const GRAPH_SCOPE = `${new URL(TEAMS_GRAPH_URL).origin}/.default`;
export const SERVICE_URL = 'https://smba.teams.test/teams';
export const TOKEN_URL = `${LOGIN_URL}/${TEAMS_TENANT_ID}/oauth2/v2.0/token`;

/** Every TEAMS_* variable, pointing at the fakes. */
export const TEAMS_ENV = {
  TEAMS_APP_ID,
  TEAMS_APP_PASSWORD,
  TEAMS_TENANT_ID,
  TEAMS_CLOUD: 'Public',
  TEAMS_LOGIN_ENDPOINT: LOGIN_URL,
  TEAMS_OPENID_METADATA_URL: OPENID_METADATA_URL,
  TEAMS_TOKEN_ISSUER: TOKEN_ISSUER,
  TEAMS_BOT_SCOPE: BOT_SCOPE,
  TEAMS_SERVICE_URL: SERVICE_URL,
  TEAMS_GRAPH_URL,
};

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: JsonWebKey;
}

/** A new RSA signing key (2048 bits, as Microsoft's), its public half as an exportable JWK. */
export function newSigningKey(kid = `kid-${randomUUID().slice(0, 8)}`): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: publicKey.export({ format: 'jwk' }) };
}

/** What a test may change in the token of a signed activity (each a way a forged one differs). */
export interface TokenOverrides {
  /** `none`: an unsigned token (`alg: none`, empty signature). */
  alg?: 'RS256' | 'none';
  aud?: string;
  iss?: string;
  /** Seconds since the epoch. */
  exp?: number;
  nbf?: number;
  /** The `serviceurl` claim; `null` leaves it out. */
  serviceUrl?: string | null;
  /** Signs with this key (a key Microsoft never published, or a rotated-in one). */
  key?: SigningKey;
  /** The `kid` in the header, when it should differ from the signing key's. */
  kid?: string;
  /** No Authorization header at all. */
  omitAuthorization?: boolean;
  /** The raw body instead of the activity's JSON. */
  rawBody?: string;
}

export type EntraRefusal = 'bad_secret' | 'expired_secret' | 'unknown_app' | 'unknown_tenant' | 'unavailable';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function fakeTeamsAuth() {
  let published: SigningKey[] = [newSigningKey('kid-current')];
  const entraKey = newSigningKey('entra-key');
  /** Each token issued, with the scope it was issued for. */
  const issued = new Map<string, string>();
  const tokenRequests: { tenant: string; form: Record<string, string> }[] = [];
  const failures: EntraRefusal[] = [];
  let lifetimeSeconds = 3599;
  let tokenCount = 0;

  const entraError = (status: number, code: number, error: string, description: string) => {
    recordVendorProblem({
      vendor: 'Entra',
      what: `POST token → ${status} ${error}: AADSTS${code}`,
      refusal: `AADSTS${code}`,
    });
    return HttpResponse.json(
      {
        error,
        error_description: `AADSTS${code}: ${description} Trace ID: 00000000-0000-0000-0000-000000000000`,
        error_codes: [code],
        timestamp: new Date().toISOString(),
      },
      { status },
    );
  };

  const handlers = [
    http.get(OPENID_METADATA_URL, () =>
      HttpResponse.json({
        issuer: TOKEN_ISSUER,
        authorization_endpoint: 'https://invalid.botframework.com',
        jwks_uri: KEYS_URL,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      }),
    ),
    http.get(KEYS_URL, () =>
      HttpResponse.json({
        keys: published.map((k) => ({ ...k.jwk, kid: k.kid, use: 'sig', endorsements: ['msteams'] })),
      }),
    ),
    http.post(`${LOGIN_URL}/:tenant/oauth2/v2.0/token`, async ({ request, params }) => {
      const tenant = String(params.tenant);
      const form = Object.fromEntries(new URLSearchParams(await request.text()));
      tokenRequests.push({ tenant, form });
      const failure = failures.shift();
      if (failure === 'unavailable')
        return HttpResponse.json({ error: 'temporarily_unavailable' }, { status: 503 });
      if (tenant !== TEAMS_TENANT_ID || failure === 'unknown_tenant')
        return entraError(400, 90002, 'invalid_request', `Tenant '${tenant}' not found.`);
      if (form.grant_type !== 'client_credentials')
        return entraError(
          400,
          70003,
          'unsupported_grant_type',
          'The app requested an unsupported grant type.',
        );
      if (form.client_id !== TEAMS_APP_ID || failure === 'unknown_app')
        return entraError(
          400,
          700016,
          'unauthorized_client',
          `Application with identifier '${form.client_id}' was not found in the directory.`,
        );
      if (failure === 'expired_secret')
        return entraError(401, 7000222, 'invalid_client', 'The provided client secret keys are expired.');
      if (form.client_secret !== TEAMS_APP_PASSWORD || failure === 'bad_secret')
        return entraError(401, 7000215, 'invalid_client', 'Invalid client secret provided.');
      if (form.scope !== BOT_SCOPE && form.scope !== GRAPH_SCOPE)
        return entraError(
          400,
          70011,
          'invalid_scope',
          `The provided value for scope ${form.scope} is not valid.`,
        );
      const token = entraAccessToken(++tokenCount, lifetimeSeconds, form.scope);
      issued.set(token, form.scope);
      return HttpResponse.json({
        token_type: 'Bearer',
        expires_in: lifetimeSeconds,
        ext_expires_in: lifetimeSeconds,
        access_token: token,
      });
    }),
  ];

  /** An app-only access token as Entra issues it (a JWT: the SDK reads its claims). */
  function entraAccessToken(n: number, lifetime: number, scope: string): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', kid: entraKey.kid };
    const payload = {
      aud: scope.replace(/\/\.default$/, ''),
      iss: `https://sts.windows.net/${TEAMS_TENANT_ID}/`,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      appid: TEAMS_APP_ID,
      tid: TEAMS_TENANT_ID,
      idtyp: 'app',
      uti: `token-${n}`,
    };
    const input = `${b64(header)}.${b64(payload)}`;
    return `${input}.${sign('sha256', Buffer.from(input), entraKey.privateKey).toString('base64url')}`;
  }

  /** A JWT as the Bot Framework Connector sends it to the bot (RS256, iss, aud = app id, serviceurl). */
  function botFrameworkToken(serviceUrl: string, o: TokenOverrides = {}): string {
    const key = o.key ?? published[0]!;
    const now = Math.floor(Date.now() / 1000);
    const header =
      o.alg === 'none'
        ? { alg: 'none', typ: 'JWT' }
        : { alg: 'RS256', typ: 'JWT', kid: o.kid ?? key.kid, x5t: o.kid ?? key.kid };
    const claim = o.serviceUrl === undefined ? serviceUrl : o.serviceUrl;
    const payload = {
      ...(claim === null ? {} : { serviceurl: claim }),
      nbf: o.nbf ?? now - 5,
      exp: o.exp ?? now + 3600,
      iss: o.iss ?? TOKEN_ISSUER,
      aud: o.aud ?? TEAMS_APP_ID,
    };
    const input = `${b64(header)}.${b64(payload)}`;
    if (o.alg === 'none') return `${input}.`;
    return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
  }

  return {
    handlers,
    /** Requests Parley made to the token endpoint, in order. */
    tokenRequests,
    /**
     * A bearer (or `Bearer …` header) the token endpoint issued, for `scope` (the Bot Framework's
     * by default): what the Bot Connector fake accepts; Graph fakes pass GRAPH_SCOPE.
     */
    isIssued: (authorization: string | null | undefined, scope = BOT_SCOPE) =>
      !!authorization && issued.get(authorization.replace(/^Bearer /, '')) === scope,
    /** The keys Microsoft publishes now. */
    get keys() {
      return published;
    },
    /** Microsoft publishes a new signing key (kept beside the old ones, as in a rotation); returns it. */
    rotateKey(): SigningKey {
      const key = newSigningKey();
      published = [...published, key];
      return key;
    },
    /** The next token requests fail this way, in order. */
    failNextToken: (...kinds: EntraRefusal[]) => failures.push(...kinds),
    /** How long tokens issued from now on last (`expires_in`, seconds). */
    setTokenLifetime: (seconds: number) => {
      lifetimeSeconds = seconds;
    },
    /** The test means Entra to refuse (`AADSTS7000215`…): that refusal then does not fail it. */
    expectRefusal: (code: string | RegExp) => expectVendorRefusal('Entra', code),
    botFrameworkToken,
    /** The request the Bot Framework Connector posts to the messaging endpoint for `activity`. */
    signedActivityRequest(
      activity: { serviceUrl: string } & Record<string, unknown>,
      o: TokenOverrides = {},
    ) {
      const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
      if (!o.omitAuthorization) headers.authorization = `Bearer ${botFrameworkToken(activity.serviceUrl, o)}`;
      return { method: 'POST', headers, body: o.rawBody ?? JSON.stringify(activity) };
    },
  };
}

export type FakeTeamsAuth = ReturnType<typeof fakeTeamsAuth>;
