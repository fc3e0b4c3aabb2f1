import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ChannelEndpoint, WebchatSession } from '../../../src/db/entities/index.ts';
import { AppError } from '../../../src/domain/errors.ts';
import { verifyUserToken } from './user-token.ts';

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
 * A visitor opens the widget. Without a user token the visitor is anonymous (identity
 * `session:<id>`); with a valid one they are the site's customer `portal:<sub>`, identified.
 */
export async function createSession(
  em: EntityManager,
  input: { widget: string; userToken?: string },
): Promise<NewSession> {
  const endpoint = await findWidget(em, input.widget);
  const profile = input.userToken ? await verifyUserToken(input.userToken, endpoint.settings.secret) : null;
  const id = randomUUID();
  const token = randomBytes(32).toString('base64url');
  const session = em.create(WebchatSession, {
    id,
    account: endpoint.account,
    endpoint,
    tokenHash: hashToken(token),
    address: profile ? `portal:${profile.externalId}` : `session:${id}`,
    identified: !!profile,
    profile,
  });
  await em.flush();
  return { token, session };
}

/** The session behind an `Authorization: Bearer <token>` header, with its widget loaded. */
export async function authenticate(em: EntityManager, authorization: string | undefined) {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
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
  return session;
}
