import type { Context } from 'hono';
import { isAppError } from '../../domain/errors.ts';
import { addToLogContext } from '../../log-context.ts';
import type { WebhookDeps } from '../../ports/adapter-module.ts';
import type { CustomerChannel, InboundEvent, RawRequest } from '../../ports/customer-channel.ts';
import { receiveInbound } from '../../use-cases/receive-inbound.ts';
import { recordOptChange } from '../../use-cases/record-opt-change.ts';
import { updateDelivery } from '../../use-cases/update-delivery.ts';

/**
 * The one path from a provider's webhook to committed rows: verify the signature on the raw
 * bytes, parse, then apply each event through its use-case. Everything is committed before this
 * returns, so a route that answers 2xx afterwards never acknowledges a message it did not keep.
 */
export interface IngestResult {
  messages: number;
  duplicates: number;
  statuses: number;
  /** Status callbacks for messages Parley does not know (deleted, or sent by another system). */
  unmatchedStatuses: number;
  optChanges: number;
  messageIds: string[];
}

/** The request as the provider sent it: raw body bytes, and the public URL it called (for signatures). */
export async function rawRequest(c: Context, publicUrl: string): Promise<RawRequest> {
  const url = new URL(c.req.url);
  return {
    method: c.req.method,
    url: `${publicUrl}${url.pathname}${url.search}`,
    headers: c.req.raw.headers,
    body: new Uint8Array(await c.req.arrayBuffer()),
  };
}

const order: Record<InboundEvent['type'], number> = { message: 0, opt_change: 1, status: 2 };

export async function ingest(
  deps: WebhookDeps,
  channel: CustomerChannel,
  raw: RawRequest,
): Promise<IngestResult> {
  let events: InboundEvent[];
  try {
    await channel.verify(raw);
    events = await channel.parse(raw);
  } catch (err) {
    deps.metrics?.webhook(channel.name, 'refused');
    throw err;
  }
  try {
    const result = await applyEvents(deps, channel, events);
    const nothingNew = result.duplicates > 0 && result.messages + result.statuses + result.optChanges === 0;
    deps.metrics?.webhook(channel.name, nothingNew ? 'duplicate' : 'stored');
    return result;
  } catch (err) {
    deps.metrics?.webhook(channel.name, 'error');
    throw err;
  }
}

async function applyEvents(
  deps: WebhookDeps,
  channel: CustomerChannel,
  events: InboundEvent[],
): Promise<IngestResult> {
  const result: IngestResult = {
    messages: 0,
    duplicates: 0,
    statuses: 0,
    unmatchedStatuses: 0,
    optChanges: 0,
    messageIds: [],
  };
  const actor = { kind: 'provider', channel: channel.name } as const;
  // Messages first: an opt-out keyword's contact exists once its message is in.
  for (const e of [...events].sort((a, b) => order[a.type] - order[b.type])) {
    if (e.type === 'message') {
      const r = await receiveInbound(
        deps.context(),
        actor,
        {
          channel: channel.name,
          endpointAddress: e.endpointAddress,
          from: e.from,
          provider: e.provider,
          providerMessageId: e.providerMessageId,
          text: e.text,
          attachments: e.attachments,
          receivedAt: e.receivedAt,
          meta: e.meta,
        },
        deps.appendInbound ? { shortcut: deps.appendInbound } : {},
      );
      if (r.duplicate) result.duplicates += 1;
      else result.messages += 1;
      result.messageIds.push(r.messageId);
      // Committed: this request's later log lines (its request line) carry the message's ids.
      addToLogContext({ messageId: r.messageId, conversationId: r.conversationId });
    } else if (e.type === 'status') {
      const fast = deps.updateDelivery ? await deps.updateDelivery(channel.name, e) : null;
      if (fast) {
        const { dispatch } = deps.context();
        if (dispatch && fast.events.length > 0) await dispatch(fast.events);
        result.statuses += 1;
        continue;
      }
      try {
        await updateDelivery(deps.context(), actor, {
          provider: e.provider,
          providerMessageId: e.providerMessageId,
          messageId: e.parleyMessageId,
          state: e.state,
          reason: e.reason,
          at: e.at,
        });
        result.statuses += 1;
      } catch (err) {
        if (!isAppError(err) || err.code !== 'not_found') throw err;
        result.unmatchedStatuses += 1;
        deps.logger.info(
          { provider: e.provider, providerMessageId: e.providerMessageId },
          'status for an unknown message',
        );
      }
    } else {
      await recordOptChange(deps.context(), actor, {
        channel: channel.name,
        endpointAddress: e.endpointAddress,
        address: e.address,
        optedOut: e.optedOut,
        keyword: e.keyword,
        at: e.at,
      });
      result.optChanges += 1;
    }
  }
  return result;
}
