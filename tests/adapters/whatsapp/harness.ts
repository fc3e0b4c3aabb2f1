import { randomInt } from 'node:crypto';
import { beforeEach } from 'vitest';
import { whatsappAdapter } from '../../../adapters/channels/whatsapp/index.ts';
import { whatsAppSignature } from '../../../adapters/channels/whatsapp/signature.ts';
import { Message } from '../../../src/db/entities/index.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { deliverMessage } from '../../../src/use-cases/deliver-message.ts';
import { GRAPH_TOKEN, GRAPH_URL, graphFake } from '../../support/fakes/graph.ts';
import { useMsw } from '../../support/msw.ts';
import { createTestApp } from '../../support/test-app.ts';
import type { TestDb } from '../../support/test-db.ts';

export const APP_SECRET = 'b7e2f0c4d9a84c1e8f3a6d5b2c1e0f9a';
export const VERIFY_TOKEN = 'parley-verify-7f3k2m';

/** A customer number as Meta writes it (digits, no `+`), different in every test. */
export const randomWaId = () => `1555${randomInt(1_000_000, 9_999_999)}`;

/**
 * The real app with the WhatsApp adapter mounted against the Graph API fake; call at the top of
 * a test file (it registers the msw server and Redis clean-up).
 */
export function whatsappHarness(db: TestDb, opts: { storage?: Storage } = {}) {
  const graph = graphFake();
  const server = useMsw(...graph.handlers);
  const t = createTestApp({
    db,
    modules: [whatsappAdapter],
    storage: opts.storage,
    env: {
      WHATSAPP_API_URL: GRAPH_URL,
      WHATSAPP_APP_SECRET: APP_SECRET,
      WHATSAPP_ACCESS_TOKEN: GRAPH_TOKEN,
      WHATSAPP_VERIFY_TOKEN: VERIFY_TOKEN,
    },
  });
  beforeEach(() => graph.reset());

  /** POSTs a webhook body the way Meta does, signed unless `signature` says otherwise. */
  const post = (payload: unknown, signature?: string | null) => {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const sig = signature === undefined ? whatsAppSignature(APP_SECRET, body) : signature;
    if (sig !== null) headers['x-hub-signature-256'] = sig;
    return t.app.request('/webhooks/whatsapp', { method: 'POST', headers, body });
  };
  const deliver = (messageId: string, now?: Date) =>
    deliverMessage({ em: db.em(), channels: t.channels, ...(now ? { now: () => now } : {}) }, messageId);
  const messageCount = () => db.em().count(Message, {});
  const byProviderId = (providerMessageId: string) =>
    db
      .em()
      .findOneOrFail(Message, { provider: 'whatsapp', providerMessageId }, { populate: ['conversation'] });

  return {
    ...t,
    graph,
    server,
    post,
    deliver,
    messageCount,
    byProviderId,
    channel: t.channels.get('whatsapp')!,
  };
}
