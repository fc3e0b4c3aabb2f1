import { defineEntity, p } from '@mikro-orm/core';
import { Broadcast } from './broadcast.entity.ts';
import { id } from './common.ts';
import { Contact } from './contact.entity.ts';
import { Message } from './message.entity.ts';

/**
 * One recipient of a broadcast. `refusedReason` carries the reason a send was not attempted (opted out,
 * no identity on the channel); otherwise the result is the message's delivery state.
 */
const BroadcastRecipientSchema = defineEntity({
  name: 'BroadcastRecipient',
  properties: {
    id: id(),
    broadcast: () => p.manyToOne(Broadcast).deleteRule('cascade'),
    contact: () => p.manyToOne(Contact).deleteRule('cascade'),
    message: () => p.manyToOne(Message).nullable().deleteRule('set null'),
    refusedReason: p.text().nullable(),
    /** The refusal's code (R7 `opted_out`, `window_closed`, ...), to count refusals by reason. */
    refusedCode: p.string().nullable(),
    /**
     * `pending` until the broadcast worker handles it, then `sent` (its message is linked) or
     * `refused`. A recipient leaves `pending` in the same transaction that creates its message, so it
     * is never sent twice.
     */
    state: p.string().default('sent'),
    processedAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['broadcast', 'contact'] }],
  indexes: [{ properties: ['broadcast', 'state'] }],
});
export class BroadcastRecipient extends BroadcastRecipientSchema.class {}
BroadcastRecipientSchema.setClass(BroadcastRecipient);
