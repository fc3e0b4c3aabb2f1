import { defineEntity, p } from '@mikro-orm/core';
import { Account } from './account.entity.ts';
import { createdAt, id } from './common.ts';

/**
 * Who did what. Plain id columns (not foreign keys) so the trail outlives a deleted
 * conversation (R24 removes content, the record that it was deleted stays).
 */
const AuditEventSchema = defineEntity({
  name: 'AuditEvent',
  properties: {
    id: id(),
    account: () => p.manyToOne(Account),
    actorType: p.enum(['user', 'system', 'ai', 'provider', 'contact'] as const),
    actorUserId: p.uuid().nullable(),
    action: p.string(),
    conversationId: p.uuid().nullable(),
    data: p.json<Record<string, unknown>>().default('{}'),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ['conversationId', 'createdAt'] }, { properties: ['account', 'createdAt'] }],
});
export class AuditEvent extends AuditEventSchema.class {}
AuditEventSchema.setClass(AuditEvent);
