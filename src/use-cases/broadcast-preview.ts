import type { Actor } from '../domain/actor.ts';
import { capabilitiesOf } from '../domain/channels.ts';
import {
  audienceIds,
  audienceRefusals,
  type CreateBroadcastInput,
  createBroadcastSchema,
  leftOutReason,
  loadBroadcastScope,
} from './broadcast-audience.ts';
import type { UseCaseContext } from './context.ts';
import { parseInput } from './input.ts';

export interface BroadcastPreview {
  total: number;
  willReceive: number;
  leftOut: {
    reason: 'opted_out' | 'outside_whatsapp_window' | 'no_identity_on_channel' | string;
    label: string;
    count: number;
  }[];
}

/**
 * R8: how many contacts a broadcast would reach and how many are left out and why, before the user
 * confirms. Read-only; the same rules as sending (R7 opt-out, WhatsApp's window unless a template,
 * an identity on the channel; R17 restricted conversations). Checked again when each is sent.
 */
export async function previewBroadcast(
  ctx: UseCaseContext,
  actor: Actor,
  raw: CreateBroadcastInput,
): Promise<BroadcastPreview> {
  const input = parseInput(createBroadcastSchema, raw);
  const now = ctx.now ? ctx.now() : new Date();
  const em = ctx.em.fork();
  const scope = await loadBroadcastScope(em, actor, input);
  const ids = await audienceIds(em, scope.user.account.id, input.target);
  const refusals = await audienceRefusals(em, scope, ids, input, now);
  const channelLabel = capabilitiesOf(scope.endpoint.channel)?.label ?? scope.endpoint.channel;
  const counts = new Map<string, { label: string; count: number }>();
  let willReceive = 0;
  for (const refusal of refusals.values()) {
    if (refusal === null) {
      willReceive += 1;
      continue;
    }
    const { reason, label } = leftOutReason(refusal.code, channelLabel);
    const seen = counts.get(reason);
    if (seen) seen.count += 1;
    else counts.set(reason, { label, count: 1 });
  }
  return {
    total: ids.length,
    willReceive,
    leftOut: [...counts].map(([reason, v]) => ({ reason, ...v })).sort((a, b) => b.count - a.count),
  };
}
