import { defineEntity, p } from '@mikro-orm/core';
import { createdAt, id } from './common.ts';
import { InternalChat } from './internal-chat.entity.ts';
import type { Attachment } from './message.entity.ts';
import { User } from './user.entity.ts';

const InternalMessageSchema = defineEntity({
  name: 'InternalMessage',
  properties: {
    id: id(),
    chat: () => p.manyToOne(InternalChat).deleteRule('cascade'),
    seq: p.integer(),
    author: () => p.manyToOne(User),
    kind: p.enum(['message', 'note'] as const).default('message'),
    text: p.text().nullable(),
    attachments: p.json<Attachment[]>().default('[]'),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['chat', 'seq'] }],
});
export class InternalMessage extends InternalMessageSchema.class {}
InternalMessageSchema.setClass(InternalMessage);
