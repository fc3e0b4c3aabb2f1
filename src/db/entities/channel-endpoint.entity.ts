import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id } from './common.ts';
import { Group } from './group.entity.ts';

/**
 * A number or widget owned by a group (R2): a WhatsApp phone number id, an SMS number, a webchat
 * widget key. Channel-specific settings (templates, widget secret, send rate) live in `settings`.
 */
const ChannelEndpointSchema = defineEntity({
  name: 'ChannelEndpoint',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    group: () => p.manyToOne(Group),
    channel: p.string(),
    address: p.string(),
    name: p.string(),
    settings: p.json<Record<string, unknown>>().default('{}'),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['channel', 'address'] }],
});
export class ChannelEndpoint extends ChannelEndpointSchema.class {}
ChannelEndpointSchema.setClass(ChannelEndpoint);
