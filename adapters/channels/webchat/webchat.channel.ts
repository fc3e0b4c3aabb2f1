import { AppError } from '../../../src/domain/errors.ts';
import type { CustomerChannel, OutboundMessage, SendResult } from '../../../src/ports/customer-channel.ts';
import { classifyWebchatError, VisitorLeft } from './errors.ts';
import { type LiveHub, liveChannel } from './live.ts';
import type { WebchatPolicy } from './policy.ts';
import { isKnownCustomer } from './portal-address.ts';
import type { Presence } from './presence.ts';

export interface WebchatRuntime {
  hub: LiveHub;
  presence: Presence;
  /** Redis key prefix (REDIS_PREFIX). */
  prefix: string;
  /** How often an open stream sends a heartbeat and refreshes the visitor's presence. */
  heartbeatMs: number;
  /** Rate limits, stream cap and session lifetime of the widget API. */
  policy: WebchatPolicy;
  /** The pub/sub channel a visitor's streams listen on. */
  channelOf(widget: string, address: string): string;
}

export interface WebchatChannel extends CustomerChannel {
  readonly runtime: WebchatRuntime;
}

export const isWebchatChannel = (c: CustomerChannel): c is WebchatChannel =>
  c.name === 'webchat' && 'runtime' in c;

/**
 * Webchat has no provider webhook: the visitor's browser posts to /webchat/api/messages with its
 * session token, and that route calls receiveInbound itself, because it needs the session and the
 * visitor's uploads (rows in PostgreSQL) to build the message and answers the widget with the
 * message it created. `verify`/`parse` therefore refuse anything handed to them.
 */
const noWebhook = () => {
  throw new AppError(
    'bad_request',
    'Webchat has no webhook: the widget sends messages to POST /webchat/api/messages with its session token.',
  );
};

export function createWebchatChannel(deps: Omit<WebchatRuntime, 'channelOf'>): WebchatChannel {
  const runtime: WebchatRuntime = {
    ...deps,
    channelOf: (widget, address) => liveChannel(deps.prefix, widget, address),
  };
  return {
    name: 'webchat',
    runtime,
    verify: noWebhook,
    parse: noWebhook,
    /**
     * The reply is already in PostgreSQL; sending means waking the visitor's open streams, which
     * read it from there. A known customer who is away finds it in the history on their next
     * visit (state `sent`); an anonymous visitor who left cannot be reached (R7).
     */
    async send(out: OutboundMessage): Promise<SendResult> {
      const widget = out.endpoint.address;
      const address = out.to.address;
      const connected = await runtime.presence.isPresent(widget, address);
      if (!connected && !isKnownCustomer(address)) throw new VisitorLeft();
      await runtime.hub.publish(runtime.channelOf(widget, address));
      return { providerMessageId: out.messageId, meta: connected ? {} : { waitingForVisit: true } };
    },
    classify: classifyWebchatError,
    /**
     * After an interrupted send: sending again can never put a second copy in front of the
     * visitor (the message is one row; streams send each position once, the widget keys by id),
     * so the answer is always "not sent yet" and the message is simply sent again.
     */
    lookupSent: async () => null,
  };
}
