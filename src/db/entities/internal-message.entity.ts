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
    /** The chat message it was written as (Slack `slack:channel:ts`, Teams' key): refuses a replayed event. */
    sourceKey: p.string().nullable().unique(),
    /**
     * The surface where the author wrote it in their own direct-message thread: it is already shown
     * to them there (a note to oneself is not posted back).
     */
    writtenOn: p.string().nullable(),
    /** When it was posted to every direct message it goes to; null: the poster (or the reconciler) has work. */
    postedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['chat', 'seq'] }],
  indexes: [{ properties: ['postedAt', 'createdAt'] }],
});
export class InternalMessage extends InternalMessageSchema.class {}
InternalMessageSchema.setClass(InternalMessage);
