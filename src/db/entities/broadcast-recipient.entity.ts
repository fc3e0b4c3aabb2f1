import { defineEntity, p } from '@mikro-orm/core';
import { Broadcast } from './broadcast.entity.ts';
import { id } from './common.ts';
import { Contact } from './contact.entity.ts';
import { Message } from './message.entity.ts';

/**
 * One recipient of a broadcast. `refused` carries the reason a send was not attempted (opted out,
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
  },
  uniques: [{ properties: ['broadcast', 'contact'] }],
});
export class BroadcastRecipient extends BroadcastRecipientSchema.class {}
BroadcastRecipientSchema.setClass(BroadcastRecipient);
