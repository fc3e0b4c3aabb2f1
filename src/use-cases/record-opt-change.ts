import { z } from 'zod';
import { ChannelEndpoint, ContactIdentity } from '../db/entities/index.ts';
import type { Actor } from '../domain/actor.ts';
import { AppError } from '../domain/errors.ts';
import { inTransaction, type UseCaseContext, type WithEvents } from './context.ts';
import { parseInput } from './input.ts';
import { audit } from './timeline.ts';

export const recordOptChangeInput = z.object({
  channel: z.string().min(1),
  endpointAddress: z.string().min(1),
  address: z.string().min(1),
  optedOut: z.boolean(),
  keyword: z.string().min(1),
  at: z.coerce.date().optional(),
});

/**
 * A customer opted out of (STOP) or back into (START) a channel. Later sends on that channel are
 * refused with R7's reason until they opt back in. An opt-out from an unknown number is recorded
 * against a new contact, so a first message "STOP" is honoured too.
 */
export async function recordOptChange(
  ctx: UseCaseContext,
  actor: Actor,
  raw: z.input<typeof recordOptChangeInput>,
): Promise<WithEvents<{ contactId: string | null; optedOutChannels: string[] }>> {
  const input = parseInput(recordOptChangeInput, raw);
  if (actor.kind !== 'provider' || actor.channel !== input.channel) {
    throw new AppError('forbidden', `Only the ${input.channel} provider can report opt-outs.`);
  }
  return inTransaction(ctx, async (tx, _record, now) => {
    const endpoint = await tx.findOne(ChannelEndpoint, {
      channel: input.channel,
      address: input.endpointAddress,
    });
    if (!endpoint) {
      throw new AppError(
        'not_found',
        `No ${input.channel} endpoint "${input.endpointAddress}" is set up in Parley.`,
      );
    }
    const identity = await tx.findOne(
      ContactIdentity,
      { account: endpoint.account, channel: input.channel, address: input.address },
      { populate: ['contact'] },
    );
    // receiveInbound creates the contact for the message that carried the keyword; without one there is nobody to mark.
    if (!identity) return { contactId: null, optedOutChannels: [] };
    const contact = identity.contact;
    const others = contact.optedOutChannels.filter((c) => c !== input.channel);
    contact.optedOutChannels = input.optedOut ? [...others, input.channel] : others;
    audit(
      tx,
      endpoint.account,
      actor,
      input.optedOut ? 'contact.opted_out' : 'contact.opted_in',
      null,
      {
        contactId: contact.id,
        channel: input.channel,
        keyword: input.keyword,
      },
      input.at ?? now,
    );
    return { contactId: contact.id, optedOutChannels: contact.optedOutChannels };
  });
}
