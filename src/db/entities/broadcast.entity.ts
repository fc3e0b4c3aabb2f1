import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { ChannelEndpoint } from './channel-endpoint.entity.ts';
import { createdAt, id } from './common.ts';
import { Group } from './group.entity.ts';
import type { TemplateRef } from './message.entity.ts';
import { User } from './user.entity.ts';

/** R8: one message sent to many contacts (a list or a tag), with per-recipient results. */
const BroadcastSchema = defineEntity({
  name: 'Broadcast',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    group: () => p.manyToOne(Group),
    endpoint: () => p.manyToOne(ChannelEndpoint),
    createdBy: () => p.manyToOne(User),
    text: p.text().nullable(),
    template: p.json<TemplateRef>().nullable(),
    /** What the user asked for: `{ contactIds }` or `{ tag }`. */
    target: p.json<{ contactIds?: string[]; tag?: string }>(),
    createdAt: createdAt(),
  },
});
export class Broadcast extends BroadcastSchema.class {}
BroadcastSchema.setClass(Broadcast);
