import type { VendorCalls } from '../../../src/metrics/vendor-calls.ts';
import type { CustomerChannel } from '../../../src/ports/customer-channel.ts';
import type { Storage } from '../../../src/ports/storage.ts';
import { classifyWhatsAppError } from './errors.ts';
import type { GraphClient } from './graph.ts';
import { fetchWhatsAppMedia } from './media.ts';
import { PROVIDER, parseWhatsAppWebhook } from './parse.ts';
import { sendWhatsApp } from './send.ts';
import { verifyWhatsAppSignature } from './signature.ts';

export interface WhatsAppOptions {
  /** WHATSAPP_API_URL: the Graph API base with its version (`https://graph.facebook.com/v23.0`). */
  apiUrl: string;
  appSecret: string;
  accessToken: string;
  storage: Storage;
  /** Time limit of one Graph call; past it a sent message's outcome is unknown, never re-sent. */
  timeoutMs?: number;
  /** Counts Graph calls (metrics). */
  calls?: VendorCalls;
}

/** Well under the deliver job's lease, so a slow Meta never lets a second worker claim the message. */
export const GRAPH_TIMEOUT_MS = 15_000;

/** The WhatsApp Cloud API behind the CustomerChannel port. */
export function createWhatsAppChannel(opts: WhatsAppOptions): CustomerChannel {
  const graph: GraphClient = {
    apiUrl: opts.apiUrl,
    accessToken: opts.accessToken,
    timeoutMs: opts.timeoutMs ?? GRAPH_TIMEOUT_MS,
    ...(opts.calls ? { calls: opts.calls } : {}),
  };
  return {
    name: PROVIDER,
    verify: (req) => verifyWhatsAppSignature(opts.appSecret, req.body, req.headers),
    parse: (req) => parseWhatsAppWebhook(req.body),
    send: (out) => sendWhatsApp({ graph, storage: opts.storage }, out),
    classify: classifyWhatsAppError,
    // No Graph call finds a sent message by our id: an ambiguous send is settled by the status
    // callback that echoes biz_opaque_callback_data, or failed visibly by the reconciler.
    fetchMedia: (attachment) => fetchWhatsAppMedia(graph, opts.storage, attachment),
  };
}
