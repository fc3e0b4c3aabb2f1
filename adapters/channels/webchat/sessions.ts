import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context } from 'hono';
import { ChannelEndpoint, type PortalProfile, WebchatSession } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';
import type { AppEnv } from '../../../src/http/env.ts';
import { allowOrigin } from './origins.ts';
import type { WebchatPolicy } from './policy.ts';
import { anonymousAddress, customerScopeOf, scopedAddress } from './portal-address.ts';
import { portalAddressFor } from './portal-identity.ts';
import { type WebchatSettings, webchatSettings } from './settings.ts';

/** Session tokens are random; only their hash is stored, so a database leak does not open sessions. */
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export async function findWidget(em: EntityManager, widget: string): Promise<ChannelEndpoint> {
  const endpoint = await em.findOne(ChannelEndpoint, { channel: 'webchat', address: widget });
  if (!endpoint) {
    throw new AppError(
      'not_found',
      `There is no webchat widget "${widget}". Create it with: npx parley endpoints create --group <group> --channel webchat --address ${widget} --name "Site chat".`,
      { widget },
    );
  }
  return endpoint;
}

export interface NewSession {
  token: string;
  session: WebchatSession;
}

/**
 * A visitor opens the widget. Without a profile (no user token) the visitor is anonymous
 * (`session:<id>`); with one they are the site's customer in the widget's customer scope
 * (`portal@<scope>:<sub>`, see portal-identity.ts), identified.
 */
export async function createSession(
  em: EntityManager,
  endpoint: ChannelEndpoint,
  settings: WebchatSettings,
  profile: PortalProfile | null,
): Promise<NewSession> {
  const id = randomUUID();
  const token = randomBytes(32).toString('base64url');
  const address = profile
    ? await portalAddressFor(em, endpoint, settings, profile.externalId)
    : anonymousAddress(id);
  const session = em.create(WebchatSession, {
    id,
    account: endpoint.account,
    endpoint,
    tokenHash: hashToken(token),
    address,
    identified: !!profile,
    profile,
  });
  await em.flush();
  return { token, session };
}

export interface Visitor {
  session: WebchatSession;
  settings: WebchatSettings;
}

const ended = (message: string) =>
  new AppError('unauthenticated', `${message} Start a new one with POST /webchat/api/sessions.`, {
    reason: 'expired_session',
  });

/**
 * The session behind an `Authorization: Bearer <token>` header, with its widget loaded and the
 * calling page's origin checked. A session unused for the idle time has ended, and so has one
 * whose address is not the one its widget gives that visitor today (made before customer scopes,
 * or before the widget's scope changed): the widget starts a new session, which resolves anew.
 */
export async function authenticate(c: Context<AppEnv>, policy: WebchatPolicy): Promise<Visitor> {
  const em = c.get('em');
  const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('Authorization') ?? '')?.[1];
  if (!token) {
    throw new AppError(
      'unauthenticated',
      'Send the webchat session token as "Authorization: Bearer <token>"; create a session with POST /webchat/api/sessions.',
    );
  }
  const session = await em.findOne(
    WebchatSession,
    { tokenHash: hashToken(token) },
    { populate: ['endpoint'] },
  );
  if (!session) {
    throw new AppError(
      'unauthenticated',
      'This webchat session does not exist (any more); start a new one with POST /webchat/api/sessions.',
      { reason: 'unknown_session' },
    );
  }
  const settings = webchatSettings(session.endpoint);
  allowOrigin(c, settings, policy.ownOrigin, { required: false });
  const now = Date.now();
  if (now - session.lastSeenAt.getTime() > policy.sessionIdleMs) {
    throw ended('This chat session has ended after a while without activity.');
  }
  if (session.address !== addressToday(session, settings)) throw ended('This chat session has ended.');
  if (now - session.lastSeenAt.getTime() > policy.lastSeenRefreshMs)
    await touchSession(em, session.id, policy);
  return { session, settings };
}

function addressToday(session: WebchatSession, settings: WebchatSettings): string {
  if (!session.identified || !session.profile) return anonymousAddress(session.id);
  return scopedAddress(customerScopeOf(session.endpoint.address, settings), session.profile.externalId);
}

/**
 * Keeps an active session from ending: at most one write per refresh interval, whatever the
 * number of requests (the condition makes a concurrent second write a no-op).
 */
export async function touchSession(
  em: EntityManager,
  sessionId: string,
  policy: WebchatPolicy,
): Promise<void> {
  const now = new Date();
  await em.nativeUpdate(
    WebchatSession,
    { id: sessionId, lastSeenAt: { $lt: new Date(now.getTime() - policy.lastSeenRefreshMs) } },
    { lastSeenAt: now },
  );
}
